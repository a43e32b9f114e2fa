import Foundation
import Glibc
import OrangeCore
import Testing

@testable import OrangeSystem

/// Overflow, unknown watches and watch limits (F9, F12, F13).
extension InotifyWatcherTests {
    /// F9: the reader stops, more events than the queue holds arrive, reading resumes: the
    /// overflow is reported (once) and a sync still works afterwards.
    @Test func queueOverflowIsReportedAndLogged() throws {
        let tree = try InotifyTempTree()
        try tree.makeProject("p", tasks: 1)
        let logger = InotifyRecordingLogger()
        let fixture = try InotifyFixture(tree, logger: logger)
        let queued = try #require(InotifyProcFS.maxQueuedEvents)
        // Each rename queues MOVED_FROM + MOVED_TO (distinct cookies, so nothing merges):
        // enough renames for one and a half queues, while nobody reads.
        let folder = fixture.tree.path("p/t0")
        try writeInPlace(folder + "/junk-a", "x")
        for index in 0..<(queued * 3 / 4 + 100) {
            let (from, to) = index % 2 == 0 ? ("junk-a", "junk-b") : ("junk-b", "junk-a")
            try renamePath("\(folder)/\(from)", "\(folder)/\(to)")
        }
        let hints = try fixture.watcher.sync(seconds: 10)
        #expect(hints.filter { $0 == .overflow }.count == 1)
        #expect(fixture.watcher.overflowCount == 1)
        #expect(logger.messages.filter { $0.contains("overflow") }.count == 1, "\(logger.messages)")
        try writeInPlace(folder + "/TASK.md", "id: t0\nafter: overflow\n")
        #expect(fileKinds(try fixture.watcher.sync(), "p", "t0").last == .completeWrite)
    }

    /// F9 with the reducer: folders made and removed while the queue was full are caught up by
    /// the resync, which also watches the new folders (their CREATE was lost with the rest), so a
    /// later edit in one of them raises events again instead of waiting for a sweep.
    @Test func resyncAfterAnOverflowWatchesTheFoldersMadeMeanwhile() throws {
        let tree = try InotifyTempTree()
        try tree.makeProject("p", tasks: 3)
        let watcher = try TaskTreeWatcher(root: tree.root)
        let driver = try WatchLoopDriver(watcher)
        driver.feed([.hints(try watcher.start())])
        try driver.syncAndSettle()
        let queued = try #require(InotifyProcFS.maxQueuedEvents)
        // Nobody reads: fill the queue past its limit, then change the tree while it is full.
        let folder = tree.path("p/t0")
        try writeInPlace(folder + "/junk-a", "x")
        for index in 0..<(queued / 2 + 100) {
            let (from, to) = index % 2 == 0 ? ("junk-a", "junk-b") : ("junk-b", "junk-a")
            try renamePath("\(folder)/\(from)", "\(folder)/\(to)")
        }
        for index in 0..<20 {
            try tree.makeDirectory(tree.path("p/n\(index)"))
            try writeInPlace(tree.path("p/n\(index)/TASK.md"), "id: n\(index)\n")
        }
        try removeTree(tree.path("p/t1"))
        try driver.syncAndSettle()
        #expect(watcher.overflowCount == 1)
        #expect(driver.reducer.state.resyncCount == 1)
        var difference = graphDifference(driver.graph, WatchLoopDriver.scanHashes(tree.tasks))
        #expect(difference.isEmpty, "\(difference)")
        #expect(watcher.watchedPaths.contains("tasks/p/n7"))
        #expect(!watcher.watchedPaths.contains("tasks/p/t1"))
        #expect(watcher.kernelWatchCount() == watcher.watchCount)

        // The driver has no periodic sweep: only an event from n7's own watch can report this.
        try writeInPlace(tree.path("p/n7/TASK.md"), "id: n7\nedited: after the overflow\n")
        try driver.syncAndSettle()
        difference = graphDifference(driver.graph, WatchLoopDriver.scanHashes(tree.tasks))
        #expect(difference.isEmpty, "\(difference)")
        #expect(driver.reducer.state.resyncCount == 1)
    }

    /// F13: events for a descriptor the watcher does not know ask for a full rescan; the
    /// `IN_IGNORED` of a descriptor it removed itself is silent.
    @Test func unknownWatchAsksForRescan() throws {
        let fixture = try watched()
        let hints = fixture.watcher.process([
            InotifyRecord(wd: 9999, mask: .modify, name: "TASK.md"),
            InotifyRecord(wd: 9999, mask: .closeWrite, name: "TASK.md"),
            InotifyRecord(wd: -1, mask: .queueOverflow),
            InotifyRecord(wd: 9999, mask: .ignored),
        ])
        #expect(hints == [.rescan(path: ""), .overflow])
        #expect(fixture.watcher.unknownWatchCount == 2)
    }

    /// F13 on the watcher: 2000 task folders watched, 1000 deleted and 500 moved out; the map and
    /// the kernel's fdinfo agree at every step.
    @Test func watcherMapMatchesFdinfoThrough2000Watches() throws {
        let tree = try InotifyTempTree()
        for project in 0..<20 {
            try tree.makeDirectory(tree.path("p\(project)"))
            for task in 0..<100 { try tree.makeDirectory(tree.path("p\(project)/t\(task)")) }
        }
        let fixture = try InotifyFixture(tree)
        let watcher = fixture.watcher
        #expect(watcher.watchCount == 2 + 20 + 2000)
        #expect(watcher.kernelWatchCount() == watcher.watchCount)
        for project in 0..<10 { try removeTree(tree.path("p\(project)")) }
        for project in 10..<15 { try renamePath(tree.path("p\(project)"), tree.outside + "/p\(project)") }
        let hints = try watcher.sync(seconds: 10)
        #expect(hints.filter { if case .taskDirectory(_, _, .removed) = $0 { true } else { false } }.count == 1500)
        #expect(watcher.watchCount == 2 + 5 + 500)
        #expect(watcher.kernelWatchCount() == watcher.watchCount)
        #expect(watcher.unknownWatchCount == 0)
    }
}

/// F12 with the real kernel limit: a child process in a user namespace where
/// `max_inotify_watches` is 64 and `max_inotify_instances` is 1 runs `InotifyLimitChild`.
@Suite struct InotifyLimitTests {
    static let rootVariable = "ORANGE_INOTIFY_LIMIT_ROOT"

    /// `unshare -Ur` works here (user namespaces enabled, the tool installed).
    static var canUnshare: Bool {
        guard access("/usr/bin/unshare", X_OK) == 0 else { return false }
        let probe = Process()
        probe.executableURL = URL(fileURLWithPath: "/usr/bin/unshare")
        probe.arguments = ["-Ur", "sh", "-c", "echo 64 > /proc/sys/user/max_inotify_watches"]
        guard (try? probe.run()) != nil else { return false }
        probe.waitUntilExit()
        return probe.terminationStatus == 0
    }

    @Test(.enabled(if: canUnshare)) func watchLimitGivesDegradedModeNotFailure() throws {
        let tree = try InotifyTempTree()
        for project in 0..<3 { try tree.makeProject("p\(project)", tasks: 40) }
        let executable = try #require(
            (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")))
        let log = tree.base + "/child.log"
        #expect(FileManager.default.createFile(atPath: log, contents: nil))
        let output = try #require(FileHandle(forWritingAtPath: log))

        let child = Process()
        child.executableURL = URL(fileURLWithPath: "/usr/bin/unshare")
        child.arguments = [
            "-Ur", "sh", "-c",
            "echo 64 > /proc/sys/user/max_inotify_watches && echo 1 > /proc/sys/user/max_inotify_instances"
                + " && exec \"$0\" --testing-library swift-testing --filter InotifyLimitChild",
            executable,
        ]
        var environment = ProcessInfo.processInfo.environment
        environment[Self.rootVariable] = tree.root
        child.environment = environment
        child.standardOutput = output
        child.standardError = output
        let finished = DispatchSemaphore(value: 0)
        child.terminationHandler = { _ in finished.signal() }
        try child.run()
        if finished.wait(timeout: .now() + 60) == .timedOut {
            child.terminate()
            Issue.record("the child did not finish within 60 s")
            return
        }
        let transcript = readWhole(log) ?? ""
        #expect(child.terminationStatus == 0, "\(transcript)")
        #expect(transcript.contains("degradedBookkeepingUnderRealLimits() passed"), "\(transcript)")
        let result = readWhole(tree.base + "/child-result") ?? ""
        #expect(result.contains("degraded unwatched=61"), "\(result)")
        #expect(result.contains("polled=61"), "\(result)")
        #expect(result.contains("after-free unwatched=20"), "\(result)")
    }
}

/// The child side of `InotifyLimitTests`; runs only inside that child.
@Suite struct InotifyLimitChild {
    static var isChild: Bool { ProcessInfo.processInfo.environment[InotifyLimitTests.rootVariable] != nil }

    @Test(.enabled(if: isChild)) func degradedBookkeepingUnderRealLimits() throws {
        let root = try #require(ProcessInfo.processInfo.environment[InotifyLimitTests.rootVariable])
        let watcher = try TaskTreeWatcher(root: root)
        let hints = try watcher.start()
        // 1 root + 1 tasks + 3 projects + 120 tasks = 125 folders, 64 watches allowed.
        #expect(watcher.isDegraded)
        #expect(watcher.watchCount == 64)
        #expect(watcher.kernelWatchCount() == 64)
        #expect(watcher.unwatchedDirectories.count == 61)
        #expect(tasksSeen(hints).count == 120, "the scan still reports unwatched folders' tasks")
        let message = watcher.lastLimitError?.description ?? ""
        #expect(message.hasPrefix("inotify watch limit reached (fs.inotify.max_user_watches = 64)"), "\(message)")
        #expect(throws: InotifyError.instanceLimitReached(limit: 1)) { try InotifyInstance() }
        var report = "degraded unwatched=\(watcher.unwatchedDirectories.count)\n"

        // The poll: one stat per TASK.md the watches miss (p1's last 20 tasks, all 40 of p2, listed
        // through p2's folder), plus the tasks the graph holds in an unwatched project.
        let known = TaskKey(project: "p2", taskID: "gone")
        let polled = watcher.pollUnwatched { $0 == "p2" ? [known] : [] }
        var stats: [TaskKey: FileFingerprint?] = [:]
        for case .statResult(let key, let fingerprint) in polled { stats[key] = fingerprint }
        #expect(polled.count == 61 && stats.count == 61)
        #expect(stats.filter { $0.value != nil }.count == 60)
        #expect(stats[known] == .some(nil), "a known task of an unwatched project that is gone is stat'ed as missing")
        #expect(stats[TaskKey(project: "p0", taskID: "t0")] == nil, "watched folders are not polled")
        let edited = TaskKey(project: "p2", taskID: "t7")
        try writeInPlace(root + "/tasks/p2/t7/TASK.md", "id: t7\nedited: while unwatched, a longer file\n")
        let again = watcher.pollUnwatched { _ in [] }
        #expect(again.contains { if case .statResult(edited, let print) = $0 { print != nil && print != stats[edited]! } else { false } })
        // A retry while the limit still holds stops at once and reports nothing.
        #expect(watcher.retryUnwatched().isEmpty)
        #expect(watcher.unwatchedDirectories.count == 61)
        report += "polled=\(stats.count)\n"

        // Deleting the watched project p0 (41 folders) frees watches; a retry uses them.
        try removeTree(root + "/tasks/p0")
        _ = try watcher.sync()
        let retried = watcher.retryUnwatched()
        #expect(watcher.watchCount == 64)
        #expect(watcher.unwatchedDirectories.count == 20)
        #expect(!tasksSeen(retried).isEmpty)
        try writeInPlace(root + "/tasks/p1/t0/TASK.md", "id: t0\n")
        #expect(fileKinds(try watcher.sync(), "p1", "t0").last == .completeWrite)
        report += "after-free unwatched=\(watcher.unwatchedDirectories.count)\n"
        try report.write(
            toFile: URL(fileURLWithPath: root).deletingLastPathComponent().path + "/child-result",
            atomically: true, encoding: .utf8)
    }
}
