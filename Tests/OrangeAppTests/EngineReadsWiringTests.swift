import Dispatch
import Foundation
import OrangeCore
import OrangeSystem
import OrangeTestSupport
import Testing

@testable import OrangeApp

/// The commands' side of `EngineReads`, against `FakeEngineReads`: an answer is printed as is,
/// no answer means a scan, and a reconcile that only notes why a task cannot start again takes
/// no lock.
@Suite(.serialized)
struct EngineReadsWiringTests {
    @Test func anAnswerIsPrintedAsTheEngineRenderedItAndNoAnswerMeansAScan() throws {
        let home = try EngineHome()
        try home.create(home.record("t1"))
        let engine = FakeEngineReads { kind, _ in
            kind == .list ? .object([("text", "from the engine\n"), ("json_text", "[\"from the engine\"]\n")]) : nil
        }
        var context = home.context
        context.stores.engineReads = engine
        #expect(OrangeCLI(context: context).execute(["task", "list", "--all"]).stdout == "from the engine\n")
        #expect(OrangeCLI(context: context).execute(["task", "list", "--all", "--ready", "--json"]).stdout == "[\"from the engine\"]\n")
        let asked = engine.questions.map(\.arguments)
        #expect(asked.last?["ready"] == true && asked.last?["json"] == true && asked.first?["ready"] == false)
        // No answer: the scan, which finds the task.
        #expect(OrangeCLI(context: context).execute(["task", "show", "t1"]).stdout.contains("t1"))
        #expect(engine.questions.last?.kind == .show)
    }

    @Test func aReadyTaskThatAlreadySaysWhyItCannotStartIsNotLockedAgain() throws {
        let home = try EngineHome()
        var record = home.record("t1")
        record.status = .pending
        record.lastError = "project 'p' is not registered"
        try home.create(record)
        let lock = DataDirectory(home: home.home).taskLockFile(record.id, in: record.project)
        let held = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            _ = try? FileLock.withLock(lock) {
                held.signal()
                release.wait()
            }
        }
        held.wait()
        defer { release.signal() }
        // The task's lock is held elsewhere: a reconcile that locked the task to note the same
        // reason again would wait for it (and fail after the store's timeout).
        let begin = Date()
        #expect(throws: Never.self) { _ = try Reconciler(context: home.context).reconcile(changed: [record.id]) }
        #expect(Date().timeIntervalSince(begin) < 5)
    }
}
