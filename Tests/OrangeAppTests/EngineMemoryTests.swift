import OrangeCore
import OrangeSystem
import OrangeTestSupport
import Testing

@testable import OrangeApp

/// What the engine keeps per task: the graph needs the front matter, never the notes.
@Suite(.serialized) struct EngineMemoryTests {
    @Test func theGraphHoldsNoBodiesWhateverTheirSize() throws {
        let home = try EngineHome()
        let notes = String(repeating: "A long plan an agent wrote down.\n", count: 3_000)  // ~100 KB
        var record = home.record("t1")
        record.body = notes
        try home.create(record)
        var options = WatchEngine.Options()
        options.sweepIntervalSeconds = 3_600
        let engine = try RunningEngine(home, options: options)
        // A change after start-up goes through the same read as the start-up scan.
        record.description = "edited"
        try home.save(record)
        try engine.sync()
        let snapshot = try engine.stop()
        let held = try #require(snapshot.graph[record.id])
        #expect(held.description == "edited")
        #expect(held.body.isEmpty)
        // The file itself is untouched: the body lives on disk only.
        #expect(try TaskRecord.parse(FileSystem.readText("\(home.tasks)/p/t1/TASK.md")).body == notes)
    }

    /// The compact state the engine keeps (bodies dropped on the reading threads, ids interned,
    /// dense tables) is the tree: after start-up, its graph equals a fresh scan, record for record,
    /// on a tree with long generated ids, blockers, sub-tasks and a few KB of notes per task.
    @Test func afterStartUpTheGraphEqualsAFreshScanAndSharesItsIDs() throws {
        let home = try EngineHome()
        var rng = SeededRandom(seed: 18)
        let project = ProjectName(validating: "p")!
        let ids = (0..<400).map { _ in TaskID.generate(using: &rng) }
        var records = ids.enumerated().map { i, id in
            TaskRecord(
                id: id, project: project, branch: "orange/branch-\(i)", status: i % 3 == 0 ? .done : .reviewing,
                description: "task \(i)", blockedBy: i == 0 ? [] : [ids[Int.random(in: 0..<i, using: &rng)]],
                createdAt: Timestamp(millisecondsSinceEpoch: Int64(i)),
                body: String(repeating: "- [x] a line of the notes an agent keeps\n", count: Int.random(in: 50...150, using: &rng)))
        }
        for i in stride(from: 10, to: ids.count, by: 10) {
            records[i].parent = ids[i - 7]
            records[i - 7].children.append(ids[i])
        }
        for record in records { try home.create(record) }
        var options = WatchEngine.Options()
        options.sweepIntervalSeconds = 3_600
        let engine = try RunningEngine(home, options: options)
        try engine.sync()
        let snapshot = try engine.stop()
        #expect(snapshot.graph == (try home.freshTasks()))
        // A blocker's id in its dependent's record is the blocker's own copy.
        func storage(_ id: TaskID) -> UnsafeRawPointer? {
            id.rawValue.utf8.withContiguousStorageIfAvailable { UnsafeRawPointer($0.baseAddress) } ?? nil
        }
        for record in snapshot.graph.values {
            for blocker in record.blockedBy { #expect(storage(blocker) == storage(try #require(snapshot.graph[blocker]).id)) }
        }
    }
}
