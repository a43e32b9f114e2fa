import Dispatch
import Glibc
import OrangeCore
import Synchronization
import Testing

@testable import OrangeApp
@testable import OrangeSystem

/// `orange watch sync` is answered once what was written before it is applied, not once the
/// engine has nothing at all to do: on a loaded machine a full reconcile can take longer than the
/// sweep interval, so the worker is never idle, and a sync that waited for idleness was never
/// answered (a CI run's `watch sync` gave up after 60 s with the engine working all along).
@Suite(.serialized) struct EngineSyncStarvationTests {
    @Test func aSyncIsAnsweredWhileSweepsKeepTheWorkerBusy() throws {
        let home = try EngineHome()
        for k in 0..<5 { try home.create(home.record("t\(k)")) }
        var options = WatchEngine.Options()
        options.sweepIntervalSeconds = 0.05
        let slow = Atomic<Bool>(false)
        let reconciles = Atomic<Int>(0)
        let engine = try RunningEngine(
            home, options: options,
            beforeReconcile: {
                reconciles.add(1, ordering: .relaxed)
                // Every reconcile, once armed, takes four sweep intervals.
                if slow.load(ordering: .acquiring) { usleep(200_000) }
            })
        slow.store(true, ordering: .releasing)
        // Let the sweeps pile up behind the slow reconciles before asking.
        let armedAt = reconciles.load(ordering: .relaxed)
        let busy = PollLoop.Deadline.after(milliseconds: 10_000)
        while reconciles.load(ordering: .relaxed) < armedAt + 3 && !busy.hasPassed { usleep(10_000) }

        var edited = home.record("t1", description: "edited while the worker is busy")
        edited.status = .done
        try home.save(edited)
        do { try engine.sync(seconds: 10) } catch {
            _ = try? engine.stop()
            throw error
        }
        let snapshot = try engine.stop()
        #expect(snapshot.graph[TaskID(validating: "t1")!]?.status == .done, "the edit before the sync is applied")
        #expect(reconciles.load(ordering: .relaxed) >= armedAt + 3, "the sweeps kept the worker busy")
    }
}

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
