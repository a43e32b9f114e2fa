import OrangeCore
import OrangeSystem
import OrangeTestSupport
import Testing

/// Two machines edit one task before either has seen the other's edit, then sync: `orange sync`
/// registers orange's TASK.md merge driver in each clone, so git merges the file field by field
/// instead of refusing the whole merge (docs/task-merge.md, docs/multi-machine.md). Real git, a
/// bare tasks remote, the built binary as git's driver.
@Suite(.serialized, .enabled(if: OrangeHarness.hasTmux, "needs tmux"))
struct MultiMachineMergeEndToEndTests {
    /// A held task on machine 1, seen by machine 2 (held: no agent starts while they edit it).
    func sharedTask(_ cluster: MachineCluster) throws -> String {
        let created = try cluster.machines[0].task(
            ["task", "create", "edited-twice", "the first words", "--harness", "script", "--hold"], in: cluster.repo(0))
        let id = try #require(created["id"]?.stringValue)
        _ = try cluster.machines[0].json(["sync", "now"])
        _ = try cluster.machines[1].json(["sync", "now"])
        #expect(cluster.tasks(on: 1).contains { $0.id.rawValue == id }, "machine 2 never got the task")
        return id
    }

    func show(_ cluster: MachineCluster, _ index: Int, _ id: String) throws -> JSONValue {
        try cluster.machines[index].task(["task", "show", id], in: cluster.repo(index))
    }

    @Test func editsOfDifferentFieldsOnTwoMachinesBothArrive() throws {
        let cluster = try MachineCluster(count: 2)
        defer { cluster.stopAll() }
        let id = try sharedTask(cluster)
        _ = try cluster.machines[0].task(["task", "update", id, "--description", "said better"], in: cluster.repo(0))
        _ = try cluster.machines[1].task(["task", "update", id, "--branch", "renamed-branch"], in: cluster.repo(1))
        _ = try cluster.machines[0].json(["sync", "now"])
        // Both edits rewrote `updated_at` on the same line: git's text merge alone conflicts here.
        let second = try cluster.machines[1].orange(["sync", "now", "--json"], in: cluster.repo(1))
        #expect(second.exitCode == 0, "\(second.stdout) \(second.stderr)")
        _ = try cluster.machines[0].json(["sync", "now"])
        for index in 0..<2 {
            let shown = try show(cluster, index, id)
            #expect(shown["description"] == "said better", "machine \(index + 1): \(shown)")
            #expect(shown["branch"] == "renamed-branch", "machine \(index + 1): \(shown)")
            #expect(shown["merge_conflict"] == nil || shown["merge_conflict"] == .null, "machine \(index + 1): \(shown)")
        }
    }

    @Test func oneFieldEditedOnBothMachinesKeepsBothValuesAndMarksTheTask() throws {
        let cluster = try MachineCluster(count: 2)
        defer { cluster.stopAll() }
        let id = try sharedTask(cluster)
        _ = try cluster.machines[0].task(["task", "update", id, "--description", "from the desk"], in: cluster.repo(0))
        _ = try cluster.machines[1].task(["task", "update", id, "--description", "from the laptop"], in: cluster.repo(1))
        _ = try cluster.machines[0].json(["sync", "now"])
        let second = try cluster.machines[1].orange(["sync", "now", "--json"], in: cluster.repo(1))
        #expect(second.exitCode == 0, "the merge was refused instead of kept from both sides: \(second.stdout) \(second.stderr)")
        _ = try cluster.machines[0].json(["sync", "now"])
        for index in 0..<2 {
            let path = "\(cluster.machines[index].home)/tasks/\(MachineCluster.project)/\(id)/TASK.md"
            let text = try FileSystem.readText(path)
            #expect(text.contains("from the desk") && text.contains("from the laptop"), "machine \(index + 1) lost a side:\n\(text)")
            #expect(text.contains("merge_conflict:"), "machine \(index + 1) has no mark:\n\(text)")
            let shown = try cluster.machines[index].orange(["task", "show", id], in: cluster.repo(index))
            #expect(shown.stdout.contains("merge conflict"), "machine \(index + 1): \(shown.stdout)")
        }
    }
}
