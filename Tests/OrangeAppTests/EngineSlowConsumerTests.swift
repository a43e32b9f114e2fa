import Dispatch
import Glibc
import OrangeCore
import Synchronization
import Testing

@testable import OrangeApp
@testable import OrangeSystem

/// F24: a slow consumer. The engine reads inotify on its loop thread and reconciles on a worker,
/// so a slow reconcile must not stop the reading; a stalled loop thread overflows the kernel
/// queue, and that must end in exactly one resync (F9). Either way the engine's graph must end
/// equal to a fresh scan of the files.
@Suite(.serialized) struct EngineSlowConsumerTests {
    /// Tasks in project `p`, all watched from the start.
    static let taskCount = 200

    /// Rename-over saves of every task, round after round (five events each), plus 100 new task
    /// folders and 20 removed ones: `rounds` × 200 × 5 events in folders the engine watches.
    static func write(_ home: EngineHome, rounds: Int) throws {
        for round in 0..<rounds {
            for k in 0..<taskCount {
                try home.save(home.record("t\(k)", description: "round \(round)"))
            }
        }
        for k in 0..<100 { try home.create(home.record("n\(k)", description: "new")) }
        for k in (taskCount - 20)..<taskCount { try FileSystem.removeTree("\(home.tasks)/p/t\(k)") }
    }

    /// Enough rounds for more events than the kernel queue holds (20,000 with the default 16,384).
    static var rounds: Int {
        let queue = InotifyProcFS.maxQueuedEvents ?? 16_384
        return max(20, (queue + 3_000) / (taskCount * 5) + 1)
    }

    static func makeHome() throws -> EngineHome {
        let home = try EngineHome()
        for k in 0..<taskCount { try home.create(home.record("t\(k)")) }
        return home
    }

    static var options: WatchEngine.Options {
        var options = WatchEngine.Options()
        // Only events and resyncs may bring the graph up to date, never the periodic sweep.
        options.sweepIntervalSeconds = 3_600
        return options
    }

    /// The engine's graph and known tasks against a fresh scan.
    static func expectFresh(_ snapshot: WatchEngine.Snapshot, _ home: EngineHome) throws {
        let fresh = try home.freshTasks()
        #expect(fresh.count == taskCount - 20 + 100)
        let missing = Set(fresh.keys).subtracting(snapshot.graph.keys)
        let extra = Set(snapshot.graph.keys).subtracting(fresh.keys)
        let stale = fresh.filter { snapshot.graph[$0.key] != nil && snapshot.graph[$0.key] != $0.value }.map(\.key)
        #expect(
            missing.isEmpty && extra.isEmpty && stale.isEmpty,
            "missing \(missing.sorted().prefix(5)), extra \(extra.sorted().prefix(5)), stale \(stale.sorted().prefix(5))")
        #expect(snapshot.unwatchedFolders == 0)
        #expect(snapshot.knownKeys == fresh.values.map { TaskKey(project: $0.project.rawValue, taskID: $0.id.rawValue) }.sorted())
    }

    @Test func aSlowReconcileDoesNotStopTheReader() throws {
        let home = try Self.makeHome()
        let armed = Atomic<Bool>(false)
        let reconciling = DispatchSemaphore(value: 0)
        let writerDone = DispatchSemaphore(value: 0)
        let calls = Atomic<Int>(0)
        // Once armed, the first reconcile takes at least 2 s and lasts until the writer is done,
        // so the whole burst happens while the worker is busy. Later ones run at normal speed.
        let engine = try RunningEngine(
            home, options: Self.options,
            beforeReconcile: {
                guard armed.load(ordering: .acquiring), calls.add(1, ordering: .relaxed).newValue == 1 else { return }
                let begin = PollLoop.Deadline.now()
                reconciling.signal()
                _ = writerDone.wait(timeout: .now() + 60)
                let elapsed = PollLoop.Deadline.now().nanoseconds - begin.nanoseconds
                if elapsed < 2_000_000_000 { usleep(UInt32((2_000_000_000 - elapsed) / 1_000)) }
            })
        armed.store(true, ordering: .releasing)
        // The engine reconciles only changes that may need an action (`changeMayNeedAction`):
        // a working task without a workspace (a spawn to finish) is one; a description is not.
        var trigger = home.record("t0", description: "start a slow reconcile")
        trigger.status = .working
        try home.save(trigger)
        #expect(reconciling.wait(timeout: .now() + 30) == .success, "no reconcile started")
        try Self.write(home, rounds: Self.rounds)
        writerDone.signal()
        try engine.sync(seconds: 60)
        let snapshot = try engine.stop()

        #expect(calls.load(ordering: .relaxed) >= 2, "the writer's changes were reconciled after the slow one")
        // The reader kept up (no overflow), or an overflow was handled exactly as F9 says.
        #expect(snapshot.reducer.overflowCount == snapshot.watcherOverflows)
        #expect(snapshot.reducer.resyncCount == snapshot.reducer.overflowCount)
        #expect(snapshot.reducer.overflowCount <= 1)
        #expect(snapshot.reducer.rescanCount == 0)
        try Self.expectFresh(snapshot, home)
        print(
            "F24 slow reconcile: overflows \(snapshot.reducer.overflowCount), resyncs \(snapshot.reducer.resyncCount), reconciles \(calls.load(ordering: .relaxed))"
        )
    }

    @Test func aStalledLoopOverflowsOnceAndOneResyncCatchesUp() throws {
        let home = try Self.makeHome()
        let armed = Atomic<Bool>(false)
        let stalled = DispatchSemaphore(value: 0)
        let writerDone = DispatchSemaphore(value: 0)
        // Once armed, the next graph update on the loop thread takes at least 2 s and lasts until
        // the writer is done: nothing reads inotify meanwhile.
        let engine = try RunningEngine(
            home, options: Self.options,
            afterGraphUpdate: {
                guard armed.exchange(false, ordering: .acquiringAndReleasing) else { return }
                let begin = PollLoop.Deadline.now()
                stalled.signal()
                _ = writerDone.wait(timeout: .now() + 60)
                let elapsed = PollLoop.Deadline.now().nanoseconds - begin.nanoseconds
                if elapsed < 2_000_000_000 { usleep(UInt32((2_000_000_000 - elapsed) / 1_000)) }
            })
        armed.store(true, ordering: .releasing)
        try home.save(home.record("t0", description: "stall the loop"))
        #expect(stalled.wait(timeout: .now() + 30) == .success, "no graph update")
        try Self.write(home, rounds: Self.rounds)
        writerDone.signal()
        try engine.sync(seconds: 60)

        // A folder made during the stall: its CREATE was lost with the overflow, so only the
        // watch the resync added can report this edit (the sweep is an hour away).
        var edited = home.record("n5", description: "edited after the overflow")
        edited.status = .done
        try home.save(edited)
        try engine.sync(seconds: 30)
        let snapshot = try engine.stop()

        #expect(snapshot.watcherOverflows == 1)
        #expect(snapshot.reducer.overflowCount == 1)
        #expect(snapshot.reducer.resyncCount == 1)
        #expect(snapshot.reducer.rescanCount == 0)
        #expect(snapshot.graph[TaskID(validating: "n5")!]?.status == .done)
        try Self.expectFresh(snapshot, home)
        #expect(engine.output.contains { $0.contains("full resync #1") }, "the overflow is logged")
    }
}
