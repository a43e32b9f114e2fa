import Glibc
import OrangeCore
import Testing

@testable import OrangeSystem

/// F25: start-up with 10,000 task folders. This checks correctness only: every watch is added,
/// every task is reported and read. The time is printed for the record, never asserted (a
/// loaded machine must not fail a test); `orange-bench` measures it (docs/performance.md).
extension InotifyWatcherTests {
    static var roomFor10kWatches: Bool { (InotifyProcFS.maxUserWatches ?? 0) >= 20_000 }

    @Test(.enabled(if: roomFor10kWatches, "max_user_watches is below 20,000"))
    func startUpWith10000TasksWatchesAndReportsEveryOne() throws {
        let tree = try InotifyTempTree(inMemory: true)
        var expected: Set<String> = []
        for project in 0..<20 {
            try tree.makeDirectory(tree.path("p\(project)"))
            for task in 0..<500 {
                try tree.makeDirectory(tree.path("p\(project)/t\(task)"))
                try writeInPlace(tree.path("p\(project)/t\(task)/TASK.md"), "id: t\(task)\n")
                expected.insert("p\(project)/t\(task)")
            }
        }

        let begin = PollLoop.Deadline.now()
        let watcher = try TaskTreeWatcher(root: tree.root)
        let hints = try watcher.start()
        let watched = PollLoop.Deadline.now()
        let driver = try WatchLoopDriver(watcher)
        driver.feed([.hints(hints)])
        try driver.syncAndSettle(seconds: 60)
        let settled = PollLoop.Deadline.now()

        #expect(!watcher.isDegraded)
        #expect(watcher.watchCount == 2 + 20 + 10_000)
        #expect(watcher.kernelWatchCount() == watcher.watchCount)
        let seen = tasksSeen(hints)
        #expect(seen == expected, "missing: \(expected.subtracting(seen).sorted().prefix(5))")
        #expect(driver.graph.count == 10_000)
        #expect(driver.reducer.state.stormCount == 0, "start-up scan results are read at once, never held as a storm")
        let watchMs = (watched.nanoseconds - begin.nanoseconds) / 1_000_000
        let readyMs = (settled.nanoseconds - begin.nanoseconds) / 1_000_000
        print(
            "F25: 10,000 tasks: \(watcher.watchCount) watches added and scanned in \(watchMs) ms; every TASK.md read, reducer settled after \(readyMs) ms (debug build, \(tree.base.hasPrefix("/dev/shm") ? "tmpfs" : "disk"), not asserted)"
        )
    }
}
