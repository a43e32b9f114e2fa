import CInotify
import Glibc
import OrangeCore
import Testing

@testable import OrangeSystem

@Suite struct InotifyInstanceTests {
    @Test func coreMaskConstantsMatchTheKernelHeaders() {
        let pairs: [(InotifyMask, Int32)] = [
            (.access, IN_ACCESS), (.modify, IN_MODIFY), (.attrib, IN_ATTRIB), (.closeWrite, IN_CLOSE_WRITE),
            (.closeNoWrite, IN_CLOSE_NOWRITE), (.open, IN_OPEN), (.movedFrom, IN_MOVED_FROM),
            (.movedTo, IN_MOVED_TO), (.create, IN_CREATE), (.delete, IN_DELETE), (.deleteSelf, IN_DELETE_SELF),
            (.moveSelf, IN_MOVE_SELF), (.unmount, IN_UNMOUNT), (.queueOverflow, IN_Q_OVERFLOW),
            (.ignored, IN_IGNORED), (.onlyDirectory, IN_ONLYDIR), (.dontFollow, IN_DONT_FOLLOW),
            (.excludeUnlinked, IN_EXCL_UNLINK), (.maskCreate, IN_MASK_CREATE), (.maskAdd, IN_MASK_ADD),
            (.isDirectory, IN_ISDIR), (.oneShot, Int32(bitPattern: IN_ONESHOT)),
        ]
        for (core, header) in pairs {
            #expect(core.rawValue == UInt32(bitPattern: header), "\(core)")
        }
        #expect(InotifyRecordDecoder.headerSize == MemoryLayout<inotify_event>.size)
    }

    @Test func descriptorIsNonBlockingAndCloseOnExec() throws {
        let instance = try InotifyInstance()
        #expect(fcntl(instance.fileDescriptor, F_GETFD) & FD_CLOEXEC != 0)
        #expect(fcntl(instance.fileDescriptor, F_GETFL) & O_NONBLOCK != 0)
        // Nothing queued: returns at once with nothing instead of blocking.
        #expect(try instance.readAvailable().isEmpty)
    }

    @Test func addWatchMapsErrors() throws {
        let tree = try InotifyTempTree()
        let instance = try InotifyInstance()
        #expect(throws: InotifyError.noSuchPath(tree.base + "/missing")) {
            try instance.addWatch(path: tree.base + "/missing", mask: TaskTreeWatcher.watchMask)
        }
        try writeInPlace(tree.base + "/file", "x")
        #expect(throws: InotifyError.notADirectory(tree.base + "/file")) {
            try instance.addWatch(path: tree.base + "/file", mask: TaskTreeWatcher.watchMask)
        }
        let limit = InotifyError.watchLimitReached(path: "/x", limit: 8192).description
        #expect(limit.hasPrefix("inotify watch limit reached (fs.inotify.max_user_watches = 8192)"))
    }

    @Test func readsRealEventsAndClosesOnce() throws {
        let tree = try InotifyTempTree()
        let instance = try InotifyInstance()
        let wd = try instance.addWatch(path: tree.tasks, mask: TaskTreeWatcher.watchMask)
        #expect(try instance.addWatch(path: tree.tasks, mask: TaskTreeWatcher.watchMask) == wd)
        try writeInPlace(tree.path("f"), "hello")
        let records = try instance.readAvailable()
        #expect(records.map(\.mask) == [.create, .modify, .closeWrite])
        #expect(records.allSatisfy { $0.wd == wd && $0.name == "f" })
        #expect(instance.removeWatch(wd))
        #expect(try instance.readAvailable() == [InotifyRecord(wd: wd, mask: .ignored)])
        #expect(!instance.removeWatch(wd))
        instance.close()
        instance.close()
        #expect(!instance.isOpen)
        #expect(throws: InotifyError.closed) { try instance.readAvailable() }
    }

    /// F13: 2000 watches added and removed; the kernel's count (fdinfo) follows exactly.
    @Test func addAndRemove2000WatchesMatchesFdinfo() throws {
        let tree = try InotifyTempTree()
        let instance = try InotifyInstance()
        var wds: [Int32] = []
        for index in 0..<2000 {
            let path = tree.base + "/outside/d\(index)"
            try tree.makeDirectory(path)
            wds.append(try instance.addWatch(path: path, mask: TaskTreeWatcher.watchMask))
        }
        #expect(Set(wds).count == 2000)
        #expect(instance.kernelWatchCount() == 2000)
        for wd in wds.prefix(1500) { #expect(instance.removeWatch(wd)) }
        #expect(instance.kernelWatchCount() == 500)
        let ignored = try instance.readAvailable()
        #expect(ignored.count == 1500 && ignored.allSatisfy { $0.mask == .ignored })
        for wd in wds.suffix(500) { instance.removeWatch(wd) }
        #expect(instance.kernelWatchCount() == 0)
    }
}

@Suite struct InotifyPollLoopTests {
    @Test func selfPipeIsNonBlockingAndCloseOnExec() throws {
        let loop = try PollLoop()
        for fd in [loop.waker.readFD, loop.waker.writeFD] {
            #expect(fcntl(fd, F_GETFD) & FD_CLOEXEC != 0)
            #expect(fcntl(fd, F_GETFL) & O_NONBLOCK != 0)
        }
    }

    @Test func timesOutAtTheDeadlineNotBefore() throws {
        let loop = try PollLoop()
        let start = PollLoop.Deadline.now()
        let outcome = try loop.wait(on: [], until: start.adding(milliseconds: 30))
        #expect(outcome.timedOut)
        #expect(PollLoop.Deadline.now().nanoseconds - start.nanoseconds >= 30_000_000)
        #expect(try loop.wait(on: [], until: start).timedOut)
    }

    @Test func wakeFromAnotherThreadEndsTheWait() throws {
        let loop = try PollLoop()
        let waker = loop.waker
        let writer = InotifyBackgroundWriter { waker.wake() }
        let outcome = try loop.wait(on: [], until: .after(milliseconds: 20_000))
        #expect(!outcome.timedOut)
        #expect(outcome.wakeups == 1)
        #expect(writer.error == nil)
    }

    @Test func reportsReadableDescriptors() throws {
        let tree = try InotifyTempTree()
        let instance = try InotifyInstance()
        _ = try instance.addWatch(path: tree.tasks, mask: TaskTreeWatcher.watchMask)
        let loop = try PollLoop()
        #expect(try loop.wait(on: [instance.fileDescriptor], until: .after(milliseconds: 1)).readable.isEmpty)
        try writeInPlace(tree.path("f"), "x")
        let outcome = try loop.wait(on: [instance.fileDescriptor], until: .after(milliseconds: 20_000))
        #expect(outcome.readable == [instance.fileDescriptor])
    }

    @Test func signalHandlerWritesTheSignalToThePipe() throws {
        let loop = try PollLoop()
        let waker = loop.waker
        defer { PollLoop.restoreDefaultSignalHandlers([SIGUSR2]) }
        // Test-runner threads block most signals; a fresh thread installs (which unblocks the
        // signal there, as the watch loop's thread would) and raises it at itself.
        let sender = InotifyBackgroundWriter {
            try PollLoop.installSignalHandlers([SIGUSR2], waker: waker)
            raise(SIGUSR2)
        }
        let outcome = try loop.wait(on: [], until: .after(milliseconds: 20_000))
        #expect(outcome.signals == [SIGUSR2])
        #expect(!outcome.timedOut)
        #expect(sender.error == nil)
    }

    @Test func timeoutRoundsUpToWholeMilliseconds() {
        let now = PollLoop.Deadline(nanoseconds: 1_000_000_000)
        #expect(now.adding(milliseconds: 5).pollTimeoutMilliseconds(from: now) == 5)
        #expect(PollLoop.Deadline(nanoseconds: 1_000_000_001).pollTimeoutMilliseconds(from: now) == 1)
        #expect(now.pollTimeoutMilliseconds(from: now.adding(milliseconds: 3)) == 0)
    }
}
