import Foundation
import Glibc
import OrangeCore
import Synchronization
import Testing

@testable import OrangeSystem

/// F8: rename pairing is only an optimisation. With the smallest legal read buffer and one
/// `read()` per batch, the two halves of a folder rename are never handled together, and another
/// process's writes land between them; the final state must still be a fresh scan's.
extension InotifyWatcherTests {
    @Test func renamesSplitAcrossReadsEndInTheFreshScanState() throws {
        let tree = try InotifyTempTree()
        // Names of 112+ bytes: each named event is 16 + 128 bytes, so two of them never fit in
        // the 272-byte buffer and every read returns one of them (plus, at most, nameless
        // self-events such as MOVE_SELF or IGNORED, 16 bytes each).
        let long = String(repeating: "n", count: 112)
        for project in ["pa", "pb", "w"] { try tree.makeDirectory(tree.path(project)) }
        for k in 0..<100 {
            try tree.makeDirectory(tree.path("pa/\(long)-a\(k)"))
            try writeInPlace(tree.path("pa/\(long)-a\(k)/TASK.md"), "id: a\(k)\n")
        }
        for k in 0..<10 {
            try tree.makeDirectory(tree.path("w/\(long)-w\(k)"))
            try writeInPlace(tree.path("w/\(long)-w\(k)/TASK.md"), "id: w\(k)\n")
        }
        let watcher = try TaskTreeWatcher(root: tree.root, readBufferSize: InotifyInstance.minimumBufferSize)
        #expect(watcher.instance.bufferSize == 16 + 255 + 1)
        let driver = try WatchLoopDriver(watcher, readsPerBatch: 1)
        driver.feed([.hints(try watcher.start())])
        try driver.syncAndSettle()
        #expect(driver.graph.count == 110)

        // Another process: 10,000 appends to long-named files in the watched task folders of `w`
        // (each one MODIFY + CLOSE_WRITE, plus a CREATE the first time).
        let writer = Process()
        writer.executableURL = URL(fileURLWithPath: "/bin/sh")
        writer.arguments = [
            "-c",
            #"i=0; while [ $i -lt 10000 ]; do printf x >> "$1/w/$2-w$((i % 10))/$2-log"; i=$((i + 1)); done"#,
            "sh", tree.tasks, long,
        ]
        try writer.run()
        // This process: 200 folder renames (across projects and within one), paced by the writer's
        // progress (one rename per 50 appends) so that they are spread over its whole run.
        let tasks = tree.tasks
        let interleaved = Atomic<Int>(0)
        let renamer = InotifyBackgroundWriter {
            let logs = (0..<10).map { "\(tasks)/w/\(long)-w\($0)/\(long)-log" }
            for i in 0..<200 {
                let k = i % 100
                while logs.reduce(0, { $0 + (FileSystem.status($1)?.size ?? 0) }) < Int64(i * 50), writer.isRunning {
                    usleep(200)  // pacing against the writer's progress, not a wait for the watcher
                }
                let (from, to) =
                    i < 100
                    ? ("pa/\(long)-a\(k)", "pb/\(long)-b\(k)")
                    : ("pb/\(long)-b\(k)", k % 2 == 0 ? "pb/\(long)-c\(k)" : "pa/\(long)-c\(k)")
                try renamePath("\(tasks)/\(from)", "\(tasks)/\(to)")
                if writer.isRunning { interleaved.add(1, ordering: .relaxed) }
            }
        }
        let deadline = PollLoop.Deadline.after(milliseconds: 60_000)
        while writer.isRunning || !renamer.isDone {
            if deadline.hasPassed { throw InotifyTestFailure("the writer or the renamer did not finish") }
            try driver.step(until: min(deadline, .after(milliseconds: 50)))
        }
        writer.waitUntilExit()
        #expect(writer.terminationStatus == 0)
        #expect(renamer.error == nil)
        #expect(interleaved.load(ordering: .relaxed) >= 100, "most renames happen while the other process writes")
        try driver.syncAndSettle()

        let fresh = WatchLoopDriver.scanHashes(tree.tasks)
        #expect(fresh.count == 110)
        let expected = Set(
            (0..<100).map { TaskKey(project: $0 % 2 == 0 ? "pb" : "pa", taskID: "\(long)-c\($0)") }
                + (0..<10).map { TaskKey(project: "w", taskID: "\(long)-w\($0)") })
        #expect(Set(fresh.keys) == expected)
        let difference = graphDifference(driver.graph, fresh)
        #expect(difference.isEmpty, "\(difference)")
        // A split pair is a removal plus an arrival, never an "unknown watch" rescan.
        #expect(driver.reducer.state.rescanCount == 0)
        #expect(watcher.unknownWatchCount == 0)
        #expect(watcher.kernelWatchCount() == watcher.watchCount)
        // The buffer really was small: about one event per read (64 KiB reads would hold hundreds).
        let reads = watcher.instance.readCount
        let records = watcher.instance.recordCount
        // 10,000 appends make 20,000 events unless the kernel queue overflowed while this
        // one-event-per-read reader lagged (a loaded machine): then some were dropped, and the
        // overflow's resync is what brought the state back.
        #expect(records >= 20_000 || watcher.overflowCount > 0, "\(records) events in \(reads) reads, no overflow")
        #expect(records <= 2 * reads, "\(records) events in \(reads) reads")
        print(
            "F8: \(records) events in \(reads) reads; \(interleaved.load(ordering: .relaxed)) of 200 renames during the writes; overflows \(watcher.overflowCount), resyncs \(driver.reducer.state.resyncCount)"
        )
    }
}
