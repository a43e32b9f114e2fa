import OrangeCore
import OrangeTestSupport
import Testing

@testable import OrangeApp

/// The start-up catch-up decides on the engine's compact graph and picks the few tasks each step
/// can act on instead of building a whole record for every task: every task that needs an action
/// must still get it, among others that need none.
struct ReconcilerCatchUpTests {
    /// The catch-up as the engine runs it: a full pass (`changed` nil) on the engine's graph and
    /// its indexes.
    private func catchUp(_ world: InMemoryWorld, spawn: Bool = false) throws -> [EngineTransition] {
        let graph = TaskGraph(try world.tasks.scan(project: nil).tasks)
        return try Reconciler(context: world.context).reconcile(
            changed: nil, spawn: spawn, current: graph, indexes: GraphIndexes(graph: graph))
    }

    /// Tasks that need nothing, around the one under test.
    private func bystanders(_ world: InMemoryWorld) throws {
        try world.add(
            world.task("done1", status: .done), world.task("review1", status: .reviewing), world.task("cancel1", status: .cancelled))
    }

    @Test func aWorkingTaskWhoseAgentDiedIsHandedToAPerson() throws {
        let world = InMemoryWorld()
        try bystanders(world)
        var task = world.task("api", status: .working)
        task.tmuxSession = "oauth/api+api"
        task.agentCrashes = 1  // the second death: handed to a person, no respawn
        try world.add(task)

        let transitions = try catchUp(world)

        #expect(try world.status("api") == .stuck)
        #expect(transitions.map { "\($0.id) \($0.from.rawValue)→\($0.to.rawValue)" } == ["api working→stuck"])
    }

    @Test func aClarificationTaskWhosePaneExitedIsAnsweredToo() throws {
        let world = InMemoryWorld()
        try bystanders(world)
        var task = world.task("api", status: .clarification)
        task.tmuxSession = "oauth/api+api"
        task.agentCrashes = 1
        try world.add(task)
        try world.tmux.newSession("oauth/api+api", directory: "/w", command: ["agent"], environment: [:])
        world.tmux.exit("oauth/api+api")

        _ = try catchUp(world)

        #expect(try world.status("api") == .stuck)
    }

    @Test func aDelegatedParentWhoseChildrenAreAllDoneCompletes() throws {
        let world = InMemoryWorld()
        try bystanders(world)
        try world.add(
            world.task("epic", status: .delegated, children: ["a", "b"]),
            world.task("a", status: .done, parent: "epic"),
            world.task("b", status: .done, parent: "epic"))

        let transitions = try catchUp(world)

        #expect(transitions.map { "\($0.id) \($0.from.rawValue)→\($0.to.rawValue)" } == ["epic delegated→done"])
        #expect(try world.status("epic") == .done)
    }

    @Test func aReadyTaskIsSpawned() throws {
        let world = InMemoryWorld(poolSize: 1)
        try bystanders(world)
        try world.add(world.task("schema", blockedBy: ["done1"]), world.task("later", blockedBy: ["review1"]))

        let transitions = try catchUp(world, spawn: true)

        #expect(transitions.map { "\($0.id) \($0.from.rawValue)→\($0.to.rawValue)" } == ["schema pending→working"])
        #expect(try world.status("schema") == .working)
        #expect(try world.status("later") == .pending)
    }

    /// Task `api` with `status`, whose agent's tmux session still runs.
    private func taskWithSession(_ world: InMemoryWorld, status: TaskStatus) throws -> TaskRecord {
        var task = world.task("api", status: status)
        task.tmuxSession = "oauth/api+api"
        try world.add(task)
        try world.tmux.newSession("oauth/api+api", directory: "/w", command: ["agent"], environment: [:])
        return task
    }

    @Test func aSpawnInterruptedByACrashIsRolledBack() throws {
        let world = InMemoryWorld()
        try bystanders(world)
        let task = try taskWithSession(world, status: .working)
        try world.guards.placeMarker(task.id, in: task.project, note: "")

        _ = try catchUp(world)

        #expect(try world.status("api") == .pending)
        #expect(world.guards.marker(task.id, in: task.project) == nil)
        #expect(world.tmux.sessions.isEmpty)
    }

    @Test func aTaskThatStoppedRunningGivesBackItsWorkspace() throws {
        let world = InMemoryWorld()
        try bystanders(world)
        let task = try taskWithSession(world, status: .done)

        _ = try catchUp(world)

        #expect(world.tmux.sessions.isEmpty)
        #expect(try world.tasks.find(task.id)?.tmuxSession == nil)
    }

    /// Only a status the history does not end with gets a line: the others are left alone.
    @Test func aStatusChangedWhileNoEngineWatchedGetsItsHistoryLine() throws {
        let world = InMemoryWorld()
        try world.add(world.task("edited", status: .done), world.task("recorded", status: .done))
        let note = StatusChangeNote(by: .engine, cause: "finished", at: world.clock.now())
        try world.tasks.appendHistory(
            note.event(from: .pending, to: .done), for: TaskID(validating: "recorded")!, in: InMemoryWorld.project)

        _ = try catchUp(world)

        let edited = try world.tasks.history(of: TaskID(validating: "edited")!, in: InMemoryWorld.project)
        #expect(edited.map(\.type) == ["status.changed"])
        #expect(edited.lastRecordedStatus == .done)
        #expect(try world.tasks.history(of: TaskID(validating: "recorded")!, in: InMemoryWorld.project).count == 1)
    }
}
