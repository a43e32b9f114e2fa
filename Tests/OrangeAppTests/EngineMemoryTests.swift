import OrangeCore
import OrangeSystem
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
}
