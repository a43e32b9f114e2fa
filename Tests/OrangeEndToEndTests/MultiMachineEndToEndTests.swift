import OrangeCore
import OrangeSystem
import OrangeTestSupport
import Testing

/// Several machines, one task graph (docs/multi-machine.md): each machine its own ORANGE_HOME,
/// engine, tmux server and pool of 2, the tasks shared through a bare remote, the code through a
/// bare origin. Every task is spawned exactly once across machines, every machine works, and
/// the origin's default branch holds every task's work once.
@Suite(.serialized, .enabled(if: OrangeHarness.hasTmux, "needs tmux"))
struct MultiMachineEndToEndTests {
    static let stress = ProcessEnvironment.current()["ORANGE_STRESS"] == "1"

    @Test func twoMachinesRunTwelveTasksWithBlockersAndANestedDelegationEachSpawnedOnce() throws {
        try runGraph(machines: 2, tasks: 12, timeout: 240)
    }

    /// 60 tasks with ORANGE_STRESS=1 (a few minutes on two cores); 12 otherwise.
    @Test func threeMachinesRunTheGraphEachTaskSpawnedOnceEveryMachineUsed() throws {
        try runGraph(machines: 3, tasks: Self.stress ? 60 : 12, timeout: Self.stress ? 900 : 240)
    }

    /// `sync init --project`: one project's tasks shared, the rest of `tasks/` not in git.
    @Test func twoMachinesSharingOneProjectsTasksRunItsGraphEachTaskSpawnedOnce() throws {
        try runGraph(machines: 2, tasks: 6, timeout: 240, shareProject: true)
    }

    func runGraph(machines count: Int, tasks: Int, timeout: Double, shareProject: Bool = false) throws {
        let cluster = try MachineCluster(count: count, shareProject: shareProject)
        defer { cluster.stopAll() }
        let first = cluster.machines[0]
        // More chains than the other machines have slots (each task waits for the one `chains`
        // before it), so that every machine must take some: with fewer, the machines whose
        // engines answer first may run them all. One task delegates twice down.
        let chains = 2 * count + 1
        var ids: [String] = []
        for index in 0..<tasks {
            var arguments = ["task", "create", "t\(index)", index == 4 ? "nest2" : "work \(index)", "--harness", "script", "--no-spawn"]
            if index >= chains { arguments += ["--blocked-by", ids[index - chains]] }
            ids.append(try #require(try first.task(arguments, in: cluster.repo(0))["id"]?.stringValue))
        }
        _ = try first.json(["sync", "now"])
        // No agent works until every machine has started one. There are more ready tasks than
        // any machine's pool, so a machine left out would be one that never claims. Released any
        // earlier, an engine that starts first frees its pool as fast as its agents finish and
        // can run the whole graph before another machine's first claim lands (it did, twice, on
        // a loaded CI machine).
        try cluster.holdAgents()
        for index in cluster.machines.indices { try cluster.startEngine(index) }
        let everyMachineStarted = cluster.waitFor(timeout: 120) { Set(cluster.agentStarts().map(\.machine)) == Set(cluster.names) }
        #expect(everyMachineStarted, "machines that started an agent: \(Set(cluster.agentStarts().map(\.machine)))\n\(cluster.logs)")
        try cluster.releaseAgents()

        let expected = tasks + 4  // the nested delegation makes four sub-tasks
        let finished = try cluster.runToTheEnd(expected: expected, timeout: timeout)
        #expect(finished, "not every task was done on every machine in time\n\(cluster.logs)")

        // Spawned exactly once across machines: one agent start per task, one agent.spawned line.
        let starts = cluster.agentStarts()
        let byTask = Dictionary(grouping: starts, by: \.task)
        let all = cluster.tasks(on: 0)
        #expect(all.count == expected)
        for task in all {
            #expect(
                byTask[task.id.rawValue]?.count == 1,
                "task \(task.id) started \(byTask[task.id.rawValue]?.count ?? 0) times: \(byTask[task.id.rawValue] ?? [])")
            #expect(cluster.spawnLines(task.id).count == 1, "task \(task.id): \(cluster.spawnLines(task.id))")
        }
        #expect(Set(starts.map(\.machine)) == Set(cluster.names), "machines used: \(Set(starts.map(\.machine)))\n\(cluster.logs)")

        // The delegated parents completed once each, whichever machine saw their last child done.
        for parent in all where !parent.children.isEmpty {
            var completions: Set<String> = []
            for h in cluster.machines {
                let history = (try? FileSystem.readText("\(h.home)/tasks/\(MachineCluster.project)/\(parent.id)/history.jsonl")) ?? ""
                for line in history.split(separator: "\n")
                where line.contains("\"status.changed\"") && line.contains("\"to\":\"done\"") { completions.insert(String(line)) }
            }
            #expect(completions.count == 1, "parent \(parent.id) completed \(completions.count) times: \(completions)")
        }

        // The code origin's default branch holds each task's work once.
        let subjects = try first.runner.check(["git", "-C", cluster.codeOrigin, "log", "--format=%s", "main"]).stdout
            .split(separator: "\n").map(String.init)
        for task in all where task.children.isEmpty {
            #expect(
                subjects.filter { $0 == "work for \(task.id)" }.count == 1,
                "work of \(task.id) on main: \(subjects.filter { $0.contains(task.id.rawValue) })")
        }
    }
}
