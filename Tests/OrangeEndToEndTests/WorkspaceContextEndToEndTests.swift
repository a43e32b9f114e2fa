import OrangeCore
import OrangeSystem
import OrangeTestSupport
import Testing

/// Commands run by a worker inside its workspace, and the seed's "parent deleted" edge case.
@Suite(.serialized) struct WorkspaceContextEndToEndTests {
    @Test func insideAWorkspaceTheParentAndTheTaskAreInferred() throws {
        let h = try OrangeHarness()
        let repo = try h.makeProject("oauth")
        let parent = try #require(try h.task(["task", "create", "add-oauth", "Add OAuth", "--no-spawn"], in: repo)["id"]?.stringValue)
        _ = try h.json(["task", "update", parent, "--status", "working", "--as", "human"])
        // Bind the task to a workspace folder, as spawning does.
        let workspace = h.home + "/workspaces/oauth--1"
        try FileSystem.makeDirectories(workspace + "/src")
        let store = FileTaskStore(layout: DataDirectory(home: h.home))
        try store.update(TaskID(validating: parent)!, in: ProjectName(validating: "oauth")!) { $0.workspace = "oauth--1" }

        let child = try h.task(["task", "create", "oauth-db", "schema", "--no-spawn"], in: workspace + "/src")
        #expect(child["parent"]?.stringValue == parent)
        #expect(child["project"] == "oauth")

        // No id: the workspace's own task; the actor is the agent.
        let updated = try h.json(["task", "update", "--status", "delegated"], in: workspace)
        #expect(updated["task"]?["id"]?.stringValue == parent)
        #expect(updated["task"]?["status"] == "delegated")
        let history = try h.json(["task", "show", parent])["history"]?.arrayValue ?? []
        #expect(history.contains { $0["to"] == "delegated" && $0["by"] == "agent" })

        // Delegating released the workspace: it no longer names this task.
        let unbound = try h.orange(["task", "update", "--status", "working"], in: workspace)
        #expect(unbound.exitCode == 1 && unbound.stderr.contains("not inside a task's workspace"))
        // Only the engine completes a delegated task; an agent cannot.
        let sneaky = try h.orange(["task", "update", parent, "--status", "done", "--as", "agent"])
        #expect(sneaky.exitCode == 1)
        #expect(sneaky.stderr.contains("cannot change \(parent) from delegated to done"), "\(sneaky.stderr)")
    }

    @Test func deletingAParentLeavesItsChildrenRunning() throws {
        let h = try OrangeHarness()
        let repo = try h.makeProject("oauth")
        let parent = try #require(try h.task(["task", "create", "p", "parent", "--no-spawn"], in: repo)["id"]?.stringValue)
        let child = try #require(
            try h.task(["task", "create", "c", "child", "--parent", parent, "--no-spawn"], in: repo)["id"]?.stringValue)
        _ = try h.task(["task", "cancel", parent, "--yes"])
        _ = try h.task(["task", "delete", parent, "--yes"])
        let ready = try h.tasks(["task", "list", "--ready"], in: repo).arrayValue ?? []
        #expect(ready.map { $0["id"]?.stringValue } == [child])
        let shown = try h.orange(["task", "show", child])
        #expect(shown.stdout.contains("parent:      \(parent) no longer exists; this task continues on its own"))
    }

    @Test func aCancelledChildLeavesTheParentDelegatedAndFlagged() throws {
        let h = try OrangeHarness()
        let repo = try h.makeProject("oauth")
        let parent = try #require(try h.task(["task", "create", "p", "parent", "--no-spawn"], in: repo)["id"]?.stringValue)
        _ = try h.json(["task", "update", parent, "--status", "working", "--as", "human"])
        let a = try #require(try h.task(["task", "create", "a", "a", "--parent", parent, "--no-spawn"], in: repo)["id"]?.stringValue)
        let b = try #require(try h.task(["task", "create", "b", "b", "--parent", parent, "--no-spawn"], in: repo)["id"]?.stringValue)
        _ = try h.json(["task", "update", parent, "--status", "delegated", "--as", "agent"])
        _ = try h.json(["task", "update", a, "--status", "done", "--as", "human"])
        _ = try h.task(["task", "cancel", b, "--yes"])
        let shown = try h.task(["task", "show", parent])
        #expect(shown["status"] == "delegated")
        #expect(shown["needs_attention"] == true)
        #expect(try h.orange(["task", "list"], in: repo).stdout.contains("delegated (1/2), needs attention"))
        #expect(try h.orange(["task", "why", parent]).stdout.contains("child \(b) is cancelled: the parent needs a person"))
    }
}
