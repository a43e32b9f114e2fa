import Dispatch
import Glibc
import OrangeCore
import Synchronization
import Testing

@testable import OrangeApp
@testable import OrangeSystem

/// A `watch sync` that waits long is explained: the engine says what it waits for (here, a
/// reconcile that does not end), so a person or a timed-out test sees why.
@Suite(.serialized) struct EngineSyncReportTests {
    @Test func aSyncWaitingLongIsExplainedWithTheReconcileThatHoldsIt() throws {
        let home = try EngineHome()
        try home.create(home.record("t0"))
        var options = WatchEngine.Options()
        options.sweepIntervalSeconds = 3_600
        options.syncReportSeconds = 0.2
        let armed = Atomic<Bool>(false)
        let release = DispatchSemaphore(value: 0)
        let engine = try RunningEngine(
            home, options: options,
            beforeReconcile: {
                if armed.exchange(false, ordering: .acquiringAndReleasing) { _ = release.wait(timeout: .now() + 60) }
            })
        armed.store(true, ordering: .releasing)
        // A working task without a workspace asks for a reconcile (a spawn to finish).
        var trigger = home.record("t0", description: "hold the worker")
        trigger.status = .working
        try home.save(trigger)
        try FileSystem.createEmptyFile(home.tasks + "/" + TaskTreeNames.syncCookieFileName(token: "held"))

        let deadline = PollLoop.Deadline.after(milliseconds: 30_000)
        var said: String?
        while said == nil && !deadline.hasPassed {
            said = engine.output.first { $0.contains("watch sync(s) waiting") }
            usleep(10_000)  // a poll interval for the engine's output, not a wait for the outcome
        }
        release.signal()
        _ = try engine.stop()
        let line = try #require(said, "the engine never said why the sync waited: \(engine.output)")
        #expect(line.contains("a reconcile of t0, running for"), "\(line)")
    }
}
