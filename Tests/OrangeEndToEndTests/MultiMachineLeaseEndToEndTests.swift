import OrangeCore
import OrangeSystem
import OrangeTestSupport
import Testing

/// A machine that dies holding claims (docs/multi-machine.md): its lease, renewed while its
/// engine runs, keeps other machines off its tasks; once it expired a person gives the tasks
/// back (`orange sync release-claims`) and another machine runs them.
@Suite(.serialized, .enabled(if: OrangeHarness.hasTmux, "needs tmux"))
struct MultiMachineLeaseEndToEndTests {
    /// A task whose agent never reports, made on the first machine and pushed.
    func hangingTaskShared(_ cluster: MachineCluster) throws -> String {
        let id = try #require(
            try cluster.machines[0].task(
                ["task", "create", "stuck-here", "hang", "--harness", "script", "--no-spawn"], in: cluster.repo(0))[
                    "id"]?.stringValue)
        _ = try cluster.machines[0].json(["sync", "now"])
        return id
    }

    @Test func aDeadMachinesClaimIsReleasedOnlyOnceItsLeaseExpiredThenRunsElsewhere() throws {
        let cluster = try MachineCluster(count: 2)
        defer { cluster.stopAll() }
        let (first, second) = (cluster.machines[0], cluster.machines[1])
        let id = try hangingTaskShared(cluster)
        try cluster.startEngine(0, environment: ["ORANGE_CLAIM_LEASE_SECONDS": "3"])
        func onSecond() throws -> TaskRecord? {
            _ = try second.orange(["sync", "now"], in: cluster.repo(1))
            return cluster.tasks(on: 1).first { $0.id.rawValue == id }
        }
        let claimed = try cluster.waitFor(timeout: 60) { try onSecond()?.claimedBy == "m1" }
        #expect(claimed, "m1 did not claim the task\n\(cluster.logs)")
        let firstLease = try #require(try onSecond()?.claimUntil)

        // While m1's engine runs, it renews the lease: past the first lease's end, still refused.
        let renewed = try cluster.waitFor(timeout: 20) { (try onSecond()?.claimUntil).map { $0 > firstLease } ?? false }
        #expect(renewed, "the lease was not renewed\n\(cluster.logs)")
        _ = cluster.waitFor(timeout: 10) { SystemClock().now() > firstLease.adding(milliseconds: 500) }
        let refused = try second.orange(["sync", "release-claims", "--machine", "m1"], in: cluster.repo(1))
        #expect(refused.exitCode == 1 && refused.stderr.contains("live lease"), "\(refused.stdout) \(refused.stderr)")

        // m1 dies (engine and agents); once its lease ran out, its claim can be released.
        cluster.stopEngine(0)
        first.killTmuxServer()
        // `sync status` on the other machine names the task waiting on the dead machine's lease.
        let listed = try cluster.waitFor(timeout: 30) {
            let status = try second.json(["sync", "status"])
            let expired = status["repositories"]?.arrayValue?.first?["expired_claims"]?.arrayValue ?? []
            return expired.contains { $0["task"]?.stringValue == id && $0["machine"]?.stringValue == "m1" }
        }
        let statusText = try second.orange(["sync", "status"]).stdout
        #expect(listed, "sync status did not list the expired claim: \(statusText)")
        #expect(statusText.contains("expired claims of other machines") && statusText.contains(id), "\(statusText)")
        let released = try cluster.waitFor(timeout: 30) {
            try second.orange(["sync", "release-claims", "--machine", "m1"], in: cluster.repo(1)).exitCode == 0
        }
        #expect(released, "the expired claim was never released\n\(cluster.logs)")
        let back = try #require(try onSecond())
        #expect(back.status == .pending && back.claimedBy == nil && back.workspace == nil && back.tmuxSession == nil)

        try cluster.startEngine(1)
        let runsOnSecond = cluster.waitFor(timeout: 60) {
            cluster.tasks(on: 1).first { $0.id.rawValue == id }.map { $0.status == .working && $0.claimedBy == "m2" } ?? false
                && cluster.agentStarts().contains { $0.task == id && $0.machine == "m2" }
        }
        #expect(runsOnSecond, "m2 did not take the released task\n\(cluster.logs)")
        #expect(cluster.agentStarts().filter { $0.task == id }.map(\.machine).sorted() == ["m1", "m2"])
    }

    @Test func aDeadMachinesLiveClaimIsReleasedOnlyWithForce() throws {
        let cluster = try MachineCluster(count: 2)
        defer { cluster.stopAll() }
        let (first, second) = (cluster.machines[0], cluster.machines[1])
        let id = try hangingTaskShared(cluster)
        try cluster.startEngine(0)
        let claimed = try cluster.waitFor(timeout: 60) {
            _ = try second.orange(["sync", "now"], in: cluster.repo(1))
            return cluster.tasks(on: 1).first { $0.id.rawValue == id }?.claimedBy == "m1"
        }
        #expect(claimed, "m1 did not claim the task\n\(cluster.logs)")
        cluster.stopEngine(0)
        first.killTmuxServer()
        // Its lease (600 s) still runs: only a person who knows the machine is dead forces it.
        let refused = try second.orange(["sync", "release-claims", "--machine", "m1"], in: cluster.repo(1))
        #expect(refused.exitCode == 1 && refused.stderr.contains("--force"), "\(refused.stdout) \(refused.stderr)")
        #expect(cluster.tasks(on: 1).first { $0.id.rawValue == id }?.claimedBy == "m1")
        let forced = try second.json(["sync", "release-claims", "--machine", "m1", "--force"])
        #expect(forced["released"]?.arrayValue?.compactMap(\.stringValue) == [id])
        let back = try #require(cluster.tasks(on: 1).first { $0.id.rawValue == id })
        #expect(back.status == .pending && back.claimedBy == nil)
    }
}
