import OrangeCore
import OrangeTestSupport
import Synchronization
import Testing

@testable import OrangeApp

/// Shared tasks (docs/multi-machine.md): a machine acts only on the agents it claimed, and no
/// status change the claims gate refused is written. Over in-memory ports, with a gate that
/// answers as a remote would.
struct SharedTasksGatingTests {
    /// A claims gate for machine `m1` whose remote accepts or refuses every change.
    final class ScriptedClaims: SpawnClaims {
        let accept: Bool
        let asked = Mutex<[String]>([])
        init(accept: Bool) { self.accept = accept }
        var machine: String? { "m1" }
        func transition(
            _ task: TaskID, in project: ProjectName, from: Set<TaskStatus>, to: TaskStatus, claim: Bool, note: StatusChangeNote,
            write: (ClaimStamp?) throws -> Void
        ) throws -> ClaimOutcome {
            asked.withLock { $0.append("\(task) \(to.rawValue)") }
            guard accept else { return .refused("claimed by machine m2") }
            try write(claim ? ClaimStamp(machine: "m1", until: Timestamp(millisecondsSinceEpoch: 10_000_000)) : nil)
            return .accepted
        }
    }

    func world(accept: Bool) -> (InMemoryWorld, ScriptedClaims) {
        var world = InMemoryWorld()
        let claims = ScriptedClaims(accept: accept)
        world.context.stores.claims = claims
        return (world, claims)
    }

    func running(_ world: InMemoryWorld, _ id: String, claimedBy machine: String, status: TaskStatus = .working) throws -> TaskRecord {
        var task = world.task(id, status: status)
        task.tmuxSession = "oauth/\(id)+\(id)"
        task.workspace = "oauth--1"
        task.setClaim(ClaimStamp(machine: machine, until: Timestamp(millisecondsSinceEpoch: 10_000_000)))
        try world.add(task)
        return task
    }

    @Test func anotherMachinesAgentWhoseSessionIsNotHereIsNeitherCountedDeadNorRespawned() throws {
        let (world, _) = world(accept: true)
        _ = try running(world, "theirs", claimedBy: "m2")
        try Reconciler(context: world.context).reconcile(changed: nil, spawn: false)
        let after = try #require(try world.tasks.find(TaskID(validating: "theirs")!))
        #expect(after.status == .working && after.agentCrashes == 0 && after.lastError == nil)
        #expect(after.tmuxSession == "oauth/theirs+theirs" && after.workspace == "oauth--1")
    }

    @Test func thisMachinesAgentWhoseSessionIsGoneIsAnsweredAsADeath() throws {
        let (world, _) = world(accept: true)
        _ = try running(world, "ours", claimedBy: "m1")
        try Reconciler(context: world.context).reconcile(changed: nil, spawn: false)
        #expect(try #require(try world.tasks.find(TaskID(validating: "ours")!)).agentCrashes == 1)
    }

    @Test func anotherMachinesFinishedTaskKeepsItsWorkspaceAndSessionForThatMachineToFree() throws {
        let (world, _) = world(accept: true)
        _ = try running(world, "theirs", claimedBy: "m2", status: .done)
        try world.tmux.newSession("oauth/theirs+theirs", directory: "/w", command: ["agent"], environment: [:])
        try Reconciler(context: world.context).reconcile(changed: nil, spawn: false)
        let after = try #require(try world.tasks.find(TaskID(validating: "theirs")!))
        #expect(after.workspace == "oauth--1" && after.tmuxSession == "oauth/theirs+theirs")
        #expect(world.tmux.sessions.count == 1)
    }

    @Test func aSpawnMarkerHereDoesNotRollBackAClaimAnotherMachineWon() throws {
        let (world, _) = world(accept: true)
        let task = try running(world, "raced", claimedBy: "m2")
        try world.guards.placeMarker(task.id, in: task.project, note: "")
        _ = try Spawner.repairInterrupted([task], context: world.context)
        let after = try #require(try world.tasks.find(task.id))
        #expect(after.status == .working && after.claimedBy == "m2" && after.tmuxSession == "oauth/raced+raced")
        #expect(world.guards.marker(task.id, in: task.project) == nil)
    }

    @Test func aClaimOfThisMachineThatNoSpawnFollowedIsGivenBackAndAnotherMachinesIsNot() throws {
        let (world, _) = world(accept: true)
        for (id, machine) in [("orphan", "m1"), ("theirs", "m2")] {
            var task = world.task(id, status: .working)
            task.setClaim(ClaimStamp(machine: machine, until: Timestamp(millisecondsSinceEpoch: 10_000_000)))
            try world.add(task)
        }
        try Reconciler(context: world.context).reconcile(changed: nil, spawn: false)
        let orphan = try #require(try world.tasks.find(TaskID(validating: "orphan")!))
        #expect(orphan.status == .pending && orphan.claimedBy == nil)
        let theirs = try #require(try world.tasks.find(TaskID(validating: "theirs")!))
        #expect(theirs.status == .working && theirs.claimedBy == "m2")
    }

    @Test func aClaimTheRemoteRefusedStartsNothingAndWritesNothing() throws {
        let (world, claims) = world(accept: false)
        try world.add(world.task("ready"))
        let before = try #require(try world.tasks.find(TaskID(validating: "ready")!))
        let outcome = try Spawner(context: world.context).spawn(before.id)
        #expect(outcome == .skipped("claimed by machine m2"))
        #expect(try world.tasks.find(before.id) == before)
        #expect(world.tmux.sessions.isEmpty)
        #expect(claims.asked.withLock { $0 } == ["ready working"])
    }

    @Test func aCompletionTheRemoteRefusedIsNotWritten() throws {
        let (world, _) = world(accept: false)
        try world.add(world.task("root", status: .delegated, children: ["leaf"]), world.task("leaf", status: .done, parent: "root"))
        let transitions = try Reconciler(context: world.context).reconcile(changed: [TaskID(validating: "leaf")!], spawn: false)
        #expect(transitions.isEmpty)
        #expect(try world.status("root") == .delegated)
    }

    @Test func anAcceptedCompletionIsWrittenOnce() throws {
        let (world, claims) = world(accept: true)
        try world.add(world.task("root", status: .delegated, children: ["leaf"]), world.task("leaf", status: .done, parent: "root"))
        try Reconciler(context: world.context).reconcile(changed: [TaskID(validating: "leaf")!], spawn: false)
        #expect(try world.status("root") == .done)
        #expect(claims.asked.withLock { $0 } == ["root done"])
    }
}
