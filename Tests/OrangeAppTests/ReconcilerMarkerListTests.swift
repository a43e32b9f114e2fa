import OrangeCore
import OrangeTestSupport
import Testing

@testable import OrangeApp

/// A reconcile after one change finds interrupted spawns through the markers' list, not by
/// checking every task: it must still repair one anywhere in the graph, as a full check did.
struct ReconcilerMarkerListTests {
    @Test func aReconcileAfterAnotherTasksChangeRepairsAnInterruptedSpawn() throws {
        let world = InMemoryWorld()
        var task = world.task("api", status: .working)
        task.tmuxSession = "oauth/api+api"
        try world.add(task, world.task("docs", status: .done))
        try world.tmux.newSession("oauth/api+api", directory: "/w", command: ["agent"], environment: [:])
        try world.guards.placeMarker(task.id, in: task.project, note: "")

        _ = try Reconciler(context: world.context).reconcile(changed: [TaskID(validating: "docs")!], spawn: false)

        #expect(try world.status("api") == .pending)
        #expect(world.guards.marker(task.id, in: task.project) == nil)
        #expect(world.guards.markedTasks()?.isEmpty == true)
    }

    @Test func onTheEnginesGraphToo() throws {
        let world = InMemoryWorld()
        let task = world.task("api", status: .pending)
        try world.add(task, world.task("docs", status: .done))
        try world.guards.placeMarker(task.id, in: task.project, note: "")
        let graph = TaskGraph(try world.tasks.scan(project: nil).tasks)

        _ = try Reconciler(context: world.context).reconcile(
            changed: [TaskID(validating: "docs")!], spawn: false, current: graph, indexes: GraphIndexes(graph: graph))

        #expect(try world.tasks.find(task.id)?.lastError == "a spawn was interrupted; it will be retried")
        #expect(world.guards.marker(task.id, in: task.project) == nil)
    }
}
