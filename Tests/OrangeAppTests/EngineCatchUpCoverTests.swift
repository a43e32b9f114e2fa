import OrangeCore
import OrangeSystem
import OrangeTestSupport
import Synchronization
import Testing

@testable import OrangeApp

/// The start-up catch-up covers the action gates of the start-up read: the tasks it decided on
/// are not reconciled again when their gates open, and a task changed after it still is.
@Suite(.serialized) struct EngineCatchUpCoverTests {
    /// The reconciles an engine ran (a class: an `Atomic` cannot travel in a tuple).
    private final class Count: Sendable {
        let atomic = Atomic<Int>(0)
        var value: Int { atomic.load(ordering: .relaxed) }
    }

    /// A parent and its child (a change to either may need an action, so an open gate would ask
    /// for a reconcile), and an engine started on them that counts its reconciles.
    private func startedOnAParentAndItsChild(quietMilliseconds: UInt64 = 30) throws -> (
        home: EngineHome, engine: RunningEngine, child: TaskRecord, reconciles: Count
    ) {
        let home = try EngineHome()
        var parent = home.record("parent")
        parent.children = [TaskID(validating: "child")!]
        var child = home.record("child")
        child.parent = parent.id
        try home.create(parent)
        try home.create(child)
        var options = WatchEngine.Options()
        options.sweepIntervalSeconds = 3_600
        options.quietMilliseconds = quietMilliseconds
        let reconciles = Count()
        let engine = try RunningEngine(home, options: options, beforeReconcile: { reconciles.atomic.add(1, ordering: .relaxed) })
        return (home, engine, child, reconciles)
    }

    @Test func theStartUpGatesAskForNoSecondReconcileButALaterChangeIsReconciled() throws {
        let (home, engine, start, reconciles) = try startedOnAParentAndItsChild()
        // The first sync is answered once every gate has opened and no reconcile runs.
        try engine.sync()
        #expect(reconciles.value == 1, "the catch-up only")

        var child = start
        child.description = "edited after the start-up"
        try home.save(child)
        try engine.sync()
        _ = try engine.stop()
        #expect(reconciles.value == 2, "the change's own reconcile")
    }

    /// The gates open while the start-up read is still being handled (a quiet period of 0: at
    /// 100,000 tasks, arming the gates alone outlasted the 30 ms one): the catch-up asked for
    /// right after covers them as well, so no reconcile of every task by ids follows it.
    @Test func gatesOpeningDuringTheStartUpReadAreCoveredByTheCatchUp() throws {
        let (_, engine, _, reconciles) = try startedOnAParentAndItsChild(quietMilliseconds: 0)
        try engine.sync()
        _ = try engine.stop()
        #expect(reconciles.value == 1, "the catch-up only")
    }
}
