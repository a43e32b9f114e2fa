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
