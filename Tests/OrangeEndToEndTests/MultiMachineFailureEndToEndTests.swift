import OrangeCore
import OrangeSystem
import OrangeTestSupport
import Testing

/// Shared tasks when things go wrong (docs/multi-machine.md): an engine killed (SIGKILL, by a
/// crash point) while it claims a task or pushes, and the remote gone for a while. Every task
/// still runs exactly once and the graph still finishes.
@Suite(.serialized, .enabled(if: OrangeHarness.hasTmux, "needs tmux"))
struct MultiMachineFailureEndToEndTests {
    func createReadyTasks(_ cluster: MachineCluster, count: Int, blockedByEarlier: Int = 0) throws -> [String] {
        var ids: [String] = []
        for index in 0..<count {
            var arguments = ["task", "create", "t\(index)", "work \(index)", "--harness", "script", "--no-spawn"]
            if blockedByEarlier > 0, index >= blockedByEarlier { arguments += ["--blocked-by", ids[index - blockedByEarlier]] }
            ids.append(try #require(try cluster.machines[0].task(arguments, in: cluster.repo(0))["id"]?.stringValue))
        }
        _ = try cluster.machines[0].json(["sync", "now"])
        return ids
    }

    func expectEachStartedOnce(_ cluster: MachineCluster, expected: Int) {
        let all = cluster.tasks(on: 0)
        #expect(all.count == expected)
        let byTask = Dictionary(grouping: cluster.agentStarts(), by: \.task)
        for task in all {
            #expect(byTask[task.id.rawValue]?.count == 1, "task \(task.id) started \(byTask[task.id.rawValue] ?? [])")
            #expect(cluster.spawnLines(task.id).count == 1, "task \(task.id): \(cluster.spawnLines(task.id))")
        }
    }

    /// `claim.pushing`: killed before its claim's push; `claim.pushed`: after the remote accepted
    /// the claim, before the claim was written here or an agent started; `sync.pushing`: in the
    /// middle of a round, with committed work not pushed yet.
    /// `claim.accepted`: after the remote accepted it, before this machine's branch moved to it
    /// (the next fetch brings the claim back with no spawn behind it).
    @Test(arguments: ["claim.pushing", "claim.accepted", "claim.pushed", "sync.pushing"])
    func anEngineKilledWhileItClaimsOrPushesLeavesEveryTaskRunOnce(point: String) throws {
        let cluster = try MachineCluster(count: 2)
        defer { cluster.stopAll() }
        _ = try createReadyTasks(cluster, count: 4)
        try cluster.startEngine(0, environment: ["ORANGE_CRASH_AT": point], waitForIt: false)
        #expect(cluster.waitUntilEngineDies(0), "the engine never reached \(point)\n\(cluster.logs)")
        try cluster.startEngine(0)
        try cluster.startEngine(1)
        let finished = try cluster.runToTheEnd(expected: 4, timeout: 120)
        #expect(finished, "not every task was done after the kill at \(point)\n\(cluster.logs)")
        expectEachStartedOnce(cluster, expected: 4)
    }

    @Test func withTheRemoteGoneRunningWorkGoesOnNoNewClaimIsMadeAndAllIsPushedWhenItIsBack() throws {
        let cluster = try MachineCluster(count: 2)
        defer { cluster.stopAll() }
        let ids = try createReadyTasks(cluster, count: 4, blockedByEarlier: 2)
        for index in cluster.machines.indices { try cluster.startEngine(index) }
        // The first two run and ask for review.
        let reviewing = cluster.waitFor(timeout: 60) {
            ids.prefix(2).allSatisfy { id in
                cluster.machines.indices.contains { cluster.tasks(on: $0).first { $0.id.rawValue == id }?.status == .reviewing }
            }
        }
        #expect(reviewing, "the first tasks did not reach review\n\(cluster.logs)")

        let gone = cluster.tasksRemote + ".gone"
        try FileSystem.rename(cluster.tasksRemote, to: gone)
        // Each machine finds out at its next round.
        let offline = try cluster.waitFor(timeout: 30) {
            try cluster.machines.allSatisfy { h in
                let status = try h.json(["sync", "status"])
                return status["repositories"]?.arrayValue?.first?["reachable"] == false
                    && (try? FileSystem.readText(h.home + "/tasks/.git/orange-sync.json"))?.contains("\"reachable\":false") == true
            }
        }
        #expect(offline, "the machines did not notice the remote was gone\n\(cluster.logs)")
        // A person at the first machine sees it on the dashboard's status line.
        let screen = try TerminalScreen(cluster.machines[0], in: cluster.repo(0), width: 200)
        screen.waitForLine("the dashboard saying the remote is unreachable") { $0.contains("remote is unreachable") }
        let startsBefore = cluster.agentStarts().count

        // Merging the first two makes the last two ready; with the remote gone, nobody claims them.
        try cluster.mergeReviewed()
        var waiting: (Int, TaskID)?
        _ = cluster.waitFor(timeout: 20) {
            for index in cluster.machines.indices {
                let local = cluster.tasks(on: index)
                for task in local where task.id.rawValue == ids[2] || task.id.rawValue == ids[3] {
                    if local.first(where: { $0.id == task.blockedBy.first })?.status == .done { waiting = (index, task.id) }
                }
            }
            return waiting != nil
        }
        let (machine, task) = try #require(waiting, "no dependent became ready on any machine\n\(cluster.logs)")
        // Several rounds and sweeps later, still no claim.
        let why = try cluster.machines[machine].orange(["task", "why", task.rawValue], in: cluster.repo(machine))
        #expect(why.stdout.contains("unreachable"), "task why: \(why.stdout) \(why.stderr)")
        let stillWaiting = cluster.waitFor(timeout: 3) { cluster.agentStarts().count > startsBefore }
        #expect(!stillWaiting, "an agent was started while the remote was gone: \(cluster.agentStarts())")
        #expect(cluster.tasks(on: machine).first { $0.id == task }?.status == .pending)

        try FileSystem.rename(gone, to: cluster.tasksRemote)
        screen.waitForLine("the dashboard saying the remote answers again", timeout: 60) { $0.contains("remote answers again") }
        let finished = try cluster.runToTheEnd(expected: 4, timeout: 120)
        #expect(finished, "the graph did not finish once the remote was back\n\(cluster.logs)")
        expectEachStartedOnce(cluster, expected: 4)
    }
}
