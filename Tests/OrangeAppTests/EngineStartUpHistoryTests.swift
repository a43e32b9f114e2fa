import Glibc
import OrangeCore
import OrangeSystem
import OrangeTestSupport
import Testing

@testable import OrangeApp

/// The start-up read looks at each task's history for the catch-up (`StartUpHistoryCheck`), which
/// then looks again only where the read did not find the history in agreement: a status changed
/// while no engine watched still gets its line, and a history that agrees is left alone.
@Suite(.serialized) struct EngineStartUpHistoryTests {
    private let project = ProjectName(validating: "p")!

    /// A history whose one line records `status`, dated in the past so that any TASK.md written
    /// now is newer than it.
    private func recordHistory(_ home: EngineHome, _ id: String, ending status: TaskStatus) throws {
        let note = StatusChangeNote(by: .engine, cause: "test", at: home.context.clock.now())
        try home.context.stores.tasks.appendHistory(note.event(from: .pending, to: status), for: TaskID(validating: id)!, in: project)
        var past = [timespec(tv_sec: 1_600_000_000, tv_nsec: 0), timespec(tv_sec: 1_600_000_000, tv_nsec: 0)]
        #expect(utimensat(AT_FDCWD, home.tasks + "/p/\(id)/history.jsonl", &past, 0) == 0)
    }

    private func statusLines(_ home: EngineHome, _ id: String) throws -> [HistoryEvent] {
        try home.context.stores.tasks.history(of: TaskID(validating: id)!, in: project).filter { $0.recordedStatus != nil }
    }

    @Test func onlyAStatusTheHistoryDoesNotEndWithGetsItsLineAtStartUp() throws {
        let home = try EngineHome()
        // `reviewing` in TASK.md (newer than the history) for all four.
        for id in ["agrees", "edited", "unrecorded", "older"] { try home.create(home.record(id)) }
        try recordHistory(home, "agrees", ending: .reviewing)
        try recordHistory(home, "edited", ending: .working)
        // A TASK.md older than its history is not looked at, as by every full pass.
        try recordHistory(home, "older", ending: .working)
        var older = [timespec(tv_sec: 1_500_000_000, tv_nsec: 0), timespec(tv_sec: 1_500_000_000, tv_nsec: 0)]
        #expect(utimensat(AT_FDCWD, home.tasks + "/p/older/TASK.md", &older, 0) == 0)

        var options = WatchEngine.Options()
        options.sweepIntervalSeconds = 3_600
        let engine = try RunningEngine(home, options: options)
        try engine.sync()
        _ = try engine.stop()

        #expect(try statusLines(home, "agrees").count == 1)
        #expect(try statusLines(home, "older").count == 1)
        for id in ["edited", "unrecorded"] {
            let lines = try statusLines(home, id)
            #expect(lines.lastRecordedStatus == .reviewing, "\(id)")
            #expect(lines.last.map { "\($0.json.rendered())" }?.contains("TASK.md edited outside orange") == true, "\(id)")
        }
    }
}
