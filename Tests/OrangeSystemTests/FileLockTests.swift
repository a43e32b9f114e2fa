import Foundation
import Glibc
import OrangeSystem
import OrangeTestSupport
import Synchronization
import Testing

@Suite struct FileLockTests {
    /// Threads, each with its own descriptor, do a read-modify-write of a counter file under the
    /// lock; an occupancy counter checks nobody is ever inside together.
    @Test func excludesThreadsWithSeparateDescriptors() throws {
        try withTemporaryDirectory { dir in
            let lock = dir + "/.lock", counter = dir + "/counter"
            try AtomicFile.write("0", to: counter)
            let inside = Atomic<Int>(0)
            let overlaps = Atomic<Int>(0)
            let errors = runOnThreads(6) { _ in
                for _ in 0..<50 {
                    try FileLock.withLock(lock) {
                        if inside.add(1, ordering: .sequentiallyConsistent).newValue != 1 { overlaps.add(1, ordering: .relaxed) }
                        let value = Int(try FileSystem.readText(counter))!
                        try AtomicFile.write(String(value + 1), to: counter)
                        inside.subtract(1, ordering: .sequentiallyConsistent)
                    }
                }
            }
            #expect(errors.isEmpty)
            #expect(overlaps.load(ordering: .relaxed) == 0)
            #expect(try FileSystem.readText(counter) == "300")
            #expect(FileSystem.status(lock)?.mode == 0o600)
        }
    }

    @Test func timesOutWithAClearMessage() throws {
        try withTemporaryDirectory { dir in
            let lock = dir + "/.lock"
            // Another open file description holding the lock: flock conflicts even within a process.
            let holder = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
            defer { close(holder) }
            #expect(flock(holder, LOCK_EX) == 0)
            let clock = SystemClock()
            let start = clock.monotonicNanoseconds()
            var ran = false
            let error = #expect(throws: FileLock.Timeout.self) {
                try FileLock.withLock(lock, timeoutSeconds: 0.2) { ran = true }
            }
            let elapsed = clock.monotonicNanoseconds() - start
            #expect(!ran)
            #expect(error?.description == "timed out after 0.2s waiting for the lock on \(lock)")
            #expect(elapsed >= 200_000_000 && elapsed < 5_000_000_000)
            #expect(FileLock.Timeout(path: "/p", seconds: 30).description == "timed out after 30s waiting for the lock on /p")
            // Released by the holder: taken at once.
            flock(holder, LOCK_UN)
            let value = try FileLock.withLock(lock, timeoutSeconds: 0.2) { 42 }
            #expect(value == 42)
        }
    }

    /// A wait is listed while it lasts (the engine says it when a `watch sync` waits long), and
    /// no longer once the lock is taken.
    @Test func aWaitForALockIsListedWhileItLasts() throws {
        try withTemporaryDirectory { dir in
            let lock = dir + "/.lock"
            let holder = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
            defer { close(holder) }
            #expect(flock(holder, LOCK_EX) == 0)
            let taken = Atomic<Bool>(false)
            let waiter = Thread { _ = try? FileLock.withLock(lock, timeoutSeconds: 30) { taken.store(true, ordering: .releasing) } }
            waiter.start()
            let clock = SystemClock()
            let deadline = clock.monotonicNanoseconds() + 10_000_000_000
            while !FileLock.waitingFor().contains(where: { $0.path == lock }) && clock.monotonicNanoseconds() < deadline {
                usleep(1_000)  // a poll interval, not a wait for the outcome
            }
            #expect(FileLock.waitingFor().contains { $0.path == lock }, "the wait is listed")
            flock(holder, LOCK_UN)
            while !taken.load(ordering: .acquiring) && clock.monotonicNanoseconds() < deadline { usleep(1_000) }
            let wasTaken = taken.load(ordering: .acquiring)
            #expect(wasTaken)
            #expect(!FileLock.waitingFor().contains { $0.path == lock }, "a wait that ended is not listed")
        }
    }

    @Test func releasesWhenTheBodyThrows() throws {
        struct Boom: Error {}
        try withTemporaryDirectory { dir in
            let lock = dir + "/.lock"
            #expect(throws: Boom.self) { try FileLock.withLock(lock) { throw Boom() } }
            let retaken = try FileLock.withLock(lock, timeoutSeconds: 0) { true }
            #expect(retaken)
            #expect(openDescriptors(on: lock).isEmpty, "the lock file descriptor leaked")
        }
    }

    @Test func lockDescriptorIsCloseOnExec() throws {
        try withTemporaryDirectory { dir in
            let lock = dir + "/.lock"
            let flags = try FileLock.withLock(lock) { () -> [Int32] in
                openDescriptors(on: lock).map { fcntl($0, F_GETFD) }
            }
            #expect(flags.count == 1)
            #expect(flags.allSatisfy { $0 >= 0 && $0 & FD_CLOEXEC != 0 })
        }
    }

    @Test func sharedLocksCoexistButExcludeAWriter() throws {
        try withTemporaryDirectory { dir in
            let lock = dir + "/.lock"
            try FileLock.withSharedLock(lock) {
                let second = try FileLock.withSharedLock(lock, timeoutSeconds: 0) { true }
                #expect(second)
                #expect(throws: FileLock.Timeout.self) { try FileLock.withLock(lock, timeoutSeconds: 0.05) {} }
            }
        }
    }

    /// A waiter whose lock file was renamed away while it waited (a task folder deleted under
    /// it) must end up holding the lock on the file now at the path, not on the old one.
    @Test func waiterRelocksWhenTheLockFileWasReplaced() throws {
        try withTemporaryDirectory { dir in
            let lock = dir + "/.lock"
            let holder = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
            #expect(flock(holder, LOCK_EX) == 0)
            let probeResult = Atomic<Int32>(-1)
            let waiter = Atomic<Bool>(false)
            let errors = runOnThreads(2) { index in
                if index == 0 {
                    try FileLock.withLock(lock, timeoutSeconds: 10) {
                        // Someone opening the path now must be excluded.
                        let probe = open(lock, O_RDWR | O_CLOEXEC)
                        defer { close(probe) }
                        probeResult.store(flock(probe, LOCK_EX | LOCK_NB) == 0 ? 0 : errno, ordering: .relaxed)
                    }
                    waiter.store(true, ordering: .relaxed)
                } else {
                    // Wait until the waiter has the old file open, then move it away and let go.
                    guard waitUntil({ openDescriptors(on: lock).count >= 2 }) else { throw SystemError("wait", errno: ETIMEDOUT) }
                    rename(lock, dir + "/moved")
                    close(holder)
                }
            }
            #expect(errors.isEmpty)
            let finished = waiter.load(ordering: .relaxed), probed = probeResult.load(ordering: .relaxed)
            #expect(finished)
            #expect(probed == EWOULDBLOCK)
        }
    }
}
