import OrangeCore
import OrangeSystem
import OrangeTestSupport
import Testing

@Suite(.serialized, .enabled(if: OrangeHarness.hasTmux, "needs tmux"))
struct RuntimeSafetyTests {
    /// Eight spawners racing on one task (CLI commands started together): exactly one agent.
    @Test func racingSpawnersStartExactlyOneAgent() throws {
        let h = try OrangeHarness(tmux: true)
        defer { h.killTmuxServer() }
        try h.installScriptedAgent()
        let repo = try h.makeProject("coffee", poolSize: 4)
        let task = try #require(
            try h.task(["task", "create", "race", "one agent only", "--harness", "script", "--no-spawn"], in: repo)["id"]?.stringValue)
        let spawn = ShellQuoting.commandLine([OrangeHarness.binary, "task", "spawn", task])
        let script =
            (0..<8).map { _ in "(\(spawn) >/dev/null 2>&1; echo $? >> \(h.directory.path)/codes) &" }.joined(separator: "\n") + "\nwait"
        _ = try h.runner.run(["sh", "-c", script], environment: h.environment, input: nil, timeoutSeconds: 120)
        let codes = try FileSystem.readText(h.directory.path + "/codes").split(separator: "\n")
        #expect(codes.filter { $0 == "0" }.count == 1, "\(codes)")
        let history = try h.json(["task", "show", task])["history"]?.arrayValue ?? []
        #expect(history.filter { $0["type"] == "agent.spawned" }.count == 1)
        let pool = try h.json(["workspace", "list"], in: repo)["workspaces"]?.arrayValue ?? []
        #expect(pool.filter { $0["status"] == "bound" }.count <= 1)
        let sessions = try h.runner.run(["tmux", "-L", h.tmuxSocket!, "list-sessions", "-F", "#{session_name}"]).stdout
        #expect(sessions.split(separator: "\n").filter { $0.hasPrefix("coffee/") }.count == 1)
    }

    /// orange stopped between writing a child and adding it to its parent: the next reconcile
    /// repairs the parent from the child's side.
    @Test func aLinkWrittenOnOneSideIsRepaired() throws {
        let h = try OrangeHarness()
        let repo = try h.makeProject("coffee")
        let parent = try #require(try h.task(["task", "create", "p", "parent", "--no-spawn"], in: repo)["id"]?.stringValue)
        let child = try #require(
            try h.task(["task", "create", "c", "child", "--parent", parent, "--no-spawn"], in: repo)["id"]?.stringValue)
        let store = FileTaskStore(layout: DataDirectory(home: h.home))
        try store.update(TaskID(validating: parent)!, in: ProjectName(validating: "coffee")!) { $0.children = [] }
        #expect(try h.orange(["task", "show", parent]).stdout.contains("names \(parent) as its parent"))
        _ = try h.task(["task", "create", "other", "x", "--no-spawn"], in: repo)  // any write reconciles
        #expect(try h.task(["task", "show", parent])["children"]?.arrayValue?.compactMap(\.stringValue) == [child])
    }

    @Test func installWritesTheSkillForTheChosenHarness() throws {
        let h = try OrangeHarness()
        let fakeHome = h.directory.path + "/user"
        try FileSystem.makeDirectories(fakeHome)
        let result = try h.runner.run(
            [OrangeHarness.binary, "install", "--harness", "claude", "--json"],
            environment: h.environment.merging(["HOME": fakeHome]) { $1 }, input: nil, timeoutSeconds: 30)
        #expect(result.exitCode == 0, "\(result.stderr)")
        let skill = try FileSystem.readText(fakeHome + "/.claude/skills/orange/SKILL.md")
        #expect(skill.contains("orange task update --status delegated"))
        #expect(skill.contains("orange task create --harness claude"))
        let unknown = try h.runner.run(
            [OrangeHarness.binary, "install", "--harness", "nope"], environment: h.environment.merging(["HOME": fakeHome]) { $1 },
            input: nil, timeoutSeconds: 30)
        #expect(unknown.exitCode == 1 && unknown.stderr.contains("unknown harness 'nope'"))
    }
}

@Suite(.serialized, .enabled(if: OrangeHarness.hasTmux, "needs tmux"))
struct DeadAgentTests {
    /// An agent that crashes while working: the next full pass respawns it in its workspace; the
    /// second crash makes the task stuck; a person's respawn starts it (and the count) again.
    @Test func aCrashedAgentIsRespawnedThenStuckThenRespawnedByAPerson() throws {
        let h = try OrangeHarness(tmux: true)
        defer { h.killTmuxServer() }
        try FileSystem.makeDirectories(h.home)
        try AtomicFile.write("#!/bin/sh\nexit 3\n", to: h.directory.path + "/crash.sh", mode: 0o755)
        try AtomicFile.write(
            #"{"harnesses": {"crash": {"command": ["sh", "\#(h.directory.path)/crash.sh"]}}}"#, to: h.home + "/config.json")
        let repo = try h.makeProject("coffee")
        let task = try #require(try h.task(["task", "create", "crashy", "x", "--harness", "crash"], in: repo)["id"]?.stringValue)
        #expect(try h.status(task) == "working")
        let workspace = try h.task(["task", "show", task])["workspace"]
        // Full passes, as the engine's sweep or cron's `watch --once` runs them.
        _ = try h.waitFor(task, "respawned") { _ in
            _ = try? h.orange(["watch", "--once"], in: repo)
            return (try? h.task(["task", "show", task]))?["agent_crashes"] == 1
        }
        let respawned = try h.task(["task", "show", task])
        #expect(respawned["status"] == "working" && respawned["workspace"] == workspace, "respawned in its own workspace: \(respawned)")
        _ = try h.waitFor(task, "stuck") { _ in
            _ = try? h.orange(["watch", "--once"], in: repo)
            return (try? h.task(["task", "show", task]))?["status"] == "stuck"
        }
        let stuck = try h.task(["task", "show", task])
        #expect(stuck["workspace"] == .null, "\(stuck)")
        let again = try h.orange(["task", "respawn", task])
        #expect(again.exitCode == 0, "\(again.stderr)")
        let shown = try h.task(["task", "show", task])
        #expect(shown["status"] == "working" && shown["agent_crashes"] == 0, "\(shown)")
        let history = try h.json(["task", "show", task])["history"]?.arrayValue ?? []
        #expect(history.filter { $0["type"] == "agent.spawned" }.count == 3)
    }

    /// The session killed, then the whole tmux server killed: the next full pass respawns each
    /// agent in its own workspace (no slot leaked to nobody); the first one, dead twice, is
    /// stuck and its slot freed.
    @Test func aKilledSessionAndAKilledTmuxServerAreRespawnedInTheirWorkspaces() throws {
        let h = try OrangeHarness(tmux: true)
        defer { h.killTmuxServer() }
        try FileSystem.makeDirectories(h.home)
        try AtomicFile.write(#"{"harnesses": {"sleepy": {"command": ["sleep", "600"]}}}"#, to: h.home + "/config.json")
        let repo = try h.makeProject("coffee")
        let first = try #require(try h.task(["task", "create", "first", "x", "--harness", "sleepy"], in: repo)["id"]?.stringValue)
        let second = try #require(try h.task(["task", "create", "second", "x", "--harness", "sleepy"], in: repo)["id"]?.stringValue)
        func session(_ id: String) throws -> String { try #require(try h.task(["task", "show", id])["tmux_session"]?.stringValue) }
        func live(_ id: String) -> Bool {
            guard let name = try? session(id) else { return false }
            return (try? h.runner.run(["tmux", "-L", h.tmuxSocket!, "has-session", "-t", "=" + name]))?.exitCode == 0
        }
        func passUntil(_ id: String, _ what: String, _ condition: @escaping (JSONValue) -> Bool) throws -> JSONValue {
            _ = try h.waitFor(id, what) { _ in
                _ = try? h.orange(["watch", "--once"], in: repo)
                return (try? h.task(["task", "show", id])).map(condition) ?? false
            }
            return try h.task(["task", "show", id])
        }
        let workspaces = try [first, second].map { try h.task(["task", "show", $0])["workspace"] }
        _ = try h.runner.run(["tmux", "-L", h.tmuxSocket!, "kill-session", "-t", "=" + (try session(first))])
        let firstAgain = try passUntil(first, "respawned") { $0["agent_crashes"] == 1 }
        #expect(firstAgain["status"] == "working" && firstAgain["workspace"] == workspaces[0] && live(first))
        #expect(try h.task(["task", "show", second])["agent_crashes"] == 0, "the other agent still runs")

        h.killTmuxServer()
        let secondAgain = try passUntil(second, "respawned") { $0["agent_crashes"] == 1 }
        #expect(secondAgain["status"] == "working" && secondAgain["workspace"] == workspaces[1] && live(second))
        let firstStuck = try passUntil(first, "stuck") { $0["status"] == "stuck" }
        #expect(firstStuck["workspace"] == .null)
        let bound = try h.json(["workspace", "list"], in: repo)["workspaces"]?.arrayValue?.compactMap { $0["task_id"]?.stringValue } ?? []
        #expect(bound == [second], "only the running agent holds a slot: \(bound)")
    }
}
