import OrangeCore
import OrangeTestSupport
import Testing

@testable import OrangeApp

/// Spawning over fake git, tmux, pool and worktree folders: the claim, the binding, the agent's
/// command and the rollback. Nothing touches the disk.
struct SpawnerUnitTests {
    @Test func readyTasksStartInFreeSlotsAndTheRestWait() throws {
        let world = InMemoryWorld(poolSize: 1)
        try world.add(world.task("schema"), world.task("docs"))

        let transitions = try Reconciler(context: world.context).reconcile(changed: nil)

        let started = transitions.filter { $0.to == .working }.map(\.id.rawValue)
        #expect(started.count == 1, "\(transitions)")
        let id = try #require(started.first)
        let task = try #require(try world.tasks.find(TaskID(validating: id)!))
        #expect(task.status == .working)
        #expect(task.workspace == "oauth--1")
        let session = try #require(task.tmuxSession)
        let launched = try #require(world.tmux.sessions[session])
        #expect(launched.directory == InMemoryWorld.home + "/workspaces/oauth--1")
        // The worktree's TASK.md is the link to the task's own file.
        #expect(world.folders.entry(in: "oauth--1") == .link(to: world.tasks.taskFilePath(task.id, in: task.project)))
        // The agent finds this orange first on its PATH, whatever PATH tmux gives it.
        let firstOnPath = try #require(launched.environment["PATH"]?.split(separator: ":").first.map(String.init))
        #expect(world.agentLinks.links[firstOnPath] == "/in-memory/orange")
        #expect(launched.environment["ORANGE_TASK_ID"] == id)
        #expect(try world.pool.read().slot(boundTo: task.id)?.name == "oauth--1")
        let other = started.first == "schema" ? "docs" : "schema"
        #expect(try world.status(other) == .pending)
    }

    /// A ready task of the engine's graph whose file went away before its spawn (a pull rewrote
    /// it, someone deleted it) is skipped: the pass still starts the others (a whole merge
    /// command failed with "task not found" under a three-machine run).
    @Test func aReadyTaskWhoseFileIsGoneIsSkippedAndTheOthersStillStart() throws {
        let world = InMemoryWorld(poolSize: 2)
        let gone = world.task("gone")
        try world.add(world.task("schema"))
        let graph = TaskGraph([gone, try #require(try world.tasks.find(TaskID(validating: "schema")!))])

        let transitions = try Reconciler(context: world.context).reconcile(
            changed: nil, current: graph, indexes: GraphIndexes(graph: graph))

        #expect(transitions.filter { $0.to == .working }.map(\.id.rawValue) == ["schema"], "\(transitions)")
        #expect(try world.status("schema") == .working)
    }

    @Test func anAgentThatCannotStartIsRolledBackAndItsSlotFreed() throws {
        let world = InMemoryWorld()
        try world.add(world.task("schema"))
        world.tmux.refuseNewSessions("no server running")

        let outcome = try Spawner(context: world.context).spawn(TaskID(validating: "schema")!)

        guard case .failed(let reason, let taskFailed) = outcome else {
            Issue.record("expected a failure, got \(outcome)")
            return
        }
        #expect(reason.contains("no server running"))
        #expect(!taskFailed)
        let task = try #require(try world.tasks.find(TaskID(validating: "schema")!))
        #expect(task.status == .pending)
        #expect(task.spawnFailures == 1)
        #expect(task.spawnRetryAt != nil)
        #expect(task.lastError?.contains("no server running") == true)
        #expect(try world.pool.read().slot(boundTo: task.id) == nil)
        #expect(world.guards.marker(task.id, in: task.project) == nil)
        // The released worktree holds no link to a task it no longer serves.
        #expect(world.folders.entry(in: "oauth--1") == nil)
    }

    @Test func aTaskWhoseSpawnIsInProgressElsewhereIsSkipped() throws {
        let world = InMemoryWorld()
        let task = world.task("schema")
        try world.add(task)
        world.guards.hold(task.id, in: task.project)

        let outcome = try Spawner(context: world.context).spawn(task.id)

        #expect(outcome == .skipped("another spawn of this task is in progress"))
        #expect(try world.status("schema") == .pending)
        #expect(world.tmux.calls.isEmpty)
    }
}
