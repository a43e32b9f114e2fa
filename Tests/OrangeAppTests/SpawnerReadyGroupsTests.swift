import OrangeCore
import OrangeTestSupport
import Testing

@testable import OrangeApp

/// The spawn step on the engine's graph looks only at the ready tasks its groups name (a project
/// and harness that can start, or the tasks whose `last_error` does not say yet why not). These
/// check that it still finds every task a full walk of the ready tasks found.
struct SpawnerReadyGroupsTests {
    /// The engine's graph and indexes of `world`, as the engine keeps them.
    private func engineGraph(_ world: InMemoryWorld) throws -> (TaskGraph, GraphIndexes) {
        let graph = TaskGraph(try world.tasks.scan(project: nil).tasks)
        return (graph, GraphIndexes(graph: graph))
    }

    /// Applies the world's current record of `id` to the engine's graph and indexes, as the
    /// engine does when the file changes.
    private func follow(_ id: String, _ world: InMemoryWorld, _ graph: inout TaskGraph, _ indexes: inout GraphIndexes) throws {
        let taskID = TaskID(validating: id)!
        let old = graph[taskID]
        let new = try #require(try world.tasks.find(taskID))
        graph.upsert(new)
        indexes.update([GraphIndexes.Change(old: old, new: new)], in: graph)
    }

    @Test func aTaskMadeReadyByItsBlockersCompletionIsSpawned() throws {
        let world = InMemoryWorld()
        try world.add(world.task("schema", status: .working), world.task("api", blockedBy: ["schema"]))
        var (graph, indexes) = try engineGraph(world)
        #expect(!indexes.isReady(TaskID(validating: "api")!))

        _ = try world.tasks.update(TaskID(validating: "schema")!, in: InMemoryWorld.project) { $0.status = .done }
        try follow("schema", world, &graph, &indexes)
        let transitions = try Reconciler(context: world.context).reconcile(
            changed: [TaskID(validating: "schema")!], current: graph, indexes: indexes)

        #expect(transitions.map(\.id.rawValue) == ["api"], "\(transitions)")
        #expect(try world.status("api") == .working)
    }

    @Test func aNewReadyTaskOfAHarnessThatIsMissingIsNotedWhileTheOthersAreLeftAlone() throws {
        var world = InMemoryWorld()
        world.context.processes.isInstalled = { $0 != "pi" }
        let reason = "harness 'pi' is not installed ('pi' is not on PATH)"
        var noted = world.task("old")
        (noted.harness, noted.lastError) = ("pi", reason)
        var fresh = world.task("fresh")
        fresh.harness = "pi"
        var stale = world.task("stale")
        (stale.harness, stale.lastError) = ("pi", "spawn failed: earlier")
        try world.add(noted, fresh, stale)
        let (graph, indexes) = try engineGraph(world)
        let before = try #require(try world.tasks.find(noted.id))

        let transitions = try Reconciler(context: world.context).reconcile(changed: [fresh.id], current: graph, indexes: indexes)

        #expect(transitions.isEmpty)
        #expect(try world.tasks.find(fresh.id)?.lastError == reason)
        #expect(try world.tasks.find(stale.id)?.lastError == reason)
        #expect(try world.tasks.find(noted.id) == before)
    }

    @Test func readyTasksNotedAsUnableToStartAreSpawnedOnceTheirHarnessIsInstalled() throws {
        var world = InMemoryWorld(poolSize: 3)
        let reason = "harness 'pi' is not installed ('pi' is not on PATH)"
        var noted = world.task("noted")
        (noted.harness, noted.lastError) = ("pi", reason)
        try world.add(noted, world.task("other", status: .done))
        let (graph, indexes) = try engineGraph(world)
        world.context.processes.isInstalled = { _ in true }

        let transitions = try Reconciler(context: world.context).reconcile(
            changed: [TaskID(validating: "other")!], current: graph, indexes: indexes)

        #expect(transitions.map(\.id) == [noted.id], "\(transitions)")
        #expect(try world.status("noted") == .working)
    }
}
