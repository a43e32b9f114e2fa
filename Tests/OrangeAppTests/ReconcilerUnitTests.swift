import OrangeCore
import OrangeTestSupport
import Testing

@testable import OrangeApp

/// The reconciler and the spawner's repair over in-memory ports: the rules, in milliseconds.
struct ReconcilerUnitTests {
    @Test func aDelegatedParentWhoseChildrenAreAllDoneCompletesAndSoDoesItsOwnParent() throws {
        let world = InMemoryWorld()
        try world.add(
            world.task("root", status: .delegated, children: ["mid"]),
            world.task("mid", status: .delegated, parent: "root", children: ["leaf"]),
            world.task("leaf", status: .done, parent: "mid"))
        let transitions = try Reconciler(context: world.context).reconcile(changed: [TaskID(validating: "leaf")!], spawn: false)
        #expect(transitions.map { "\($0.id) \($0.from.rawValue)→\($0.to.rawValue)" } == ["mid delegated→done", "root delegated→done"])
        #expect(try world.status("mid") == .done)
        #expect(try world.status("root") == .done)
    }

    @Test func aDelegatedParentWithAChildLeftStaysDelegated() throws {
        let world = InMemoryWorld()
        try world.add(
            world.task("root", status: .delegated, children: ["a", "b"]),
            world.task("a", status: .done, parent: "root"),
            world.task("b", status: .working, parent: "root"))
        let transitions = try Reconciler(context: world.context).reconcile(changed: [TaskID(validating: "a")!], spawn: false)
        #expect(transitions.isEmpty)
        #expect(try world.status("root") == .delegated)
    }

    @Test func aSpawnThatDiedHalfWayIsRolledBackWhenNobodyHoldsItsLock() throws {
        let world = InMemoryWorld()
        var task = world.task("api", status: .working)
        task.tmuxSession = "oauth/api+api"
        try world.add(task)
        try world.tmux.newSession("oauth/api+api", directory: "/w", command: ["agent"], environment: [:])
        try world.guards.placeMarker(task.id, in: task.project, note: "")

        let repaired = try Spawner.repairInterrupted([task], context: world.context)

        #expect(repaired == [task.id])
        let after = try #require(try world.tasks.find(task.id))
        #expect(after.status == .pending)
        #expect(after.tmuxSession == nil)
        #expect(after.lastError == "a spawn was interrupted; it will be retried")
        #expect(world.tmux.sessions.isEmpty)
        #expect(world.guards.marker(task.id, in: task.project) == nil)
    }

    @Test func aReassessTurnThatDiedHalfWayGoesBackToDelegated() throws {
        let world = InMemoryWorld()
        var parent = world.task("epic", status: .working, children: ["one"])
        parent.reassessed = [TaskID(validating: "one")!]
        try world.add(parent, world.task("one", status: .done, parent: "epic"))
        try world.guards.placeMarker(parent.id, in: parent.project, note: Spawner.reassessMarkerPrefix + "one\n")

        #expect(try Spawner.repairInterrupted([parent], context: world.context) == [parent.id])
        let after = try #require(try world.tasks.find(parent.id))
        #expect(after.status == .delegated)
        #expect(after.reassessed.isEmpty)
    }

    @Test func aSpawnInProgressIsLeftAlone() throws {
        let world = InMemoryWorld()
        let task = world.task("api", status: .working)
        try world.add(task)
        try world.guards.placeMarker(task.id, in: task.project, note: "")
        world.guards.hold(task.id, in: task.project)

        #expect(try Spawner.repairInterrupted([task], context: world.context).isEmpty)
        #expect(try world.status("api") == .working)
        #expect(world.guards.marker(task.id, in: task.project) != nil)
    }

    /// An agent reporting on its own task must not wait for the lock whoever ends its session
    /// holds: that holder waits for the agent's command to exit.
    @Test func anAgentsOwnCommandDoesNotWaitForTheSpawnLockOfItsTask() throws {
        let world = InMemoryWorld(environment: ["ORANGE_TASK_ID": "api"])
        var task = world.task("api", status: .delegated)
        task.tmuxSession = "oauth/api+api"
        try world.add(task)
        try world.tmux.newSession("oauth/api+api", directory: "/w", command: ["agent"], environment: [:])
        world.guards.hold(task.id, in: task.project)

        try Reconciler(context: world.context).stopAgent(task, project: nil, force: false)

        #expect(world.tmux.calls.filter { $0.hasPrefix("kill-session") }.isEmpty)
        #expect(world.logger.recorded.contains { $0.message == "Another process is ending this agent's session" })
    }
}
