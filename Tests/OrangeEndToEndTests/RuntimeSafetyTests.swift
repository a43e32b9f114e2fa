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
        let task = try #require(try h.json(["task", "create", "race", "one agent only", "--harness", "script", "--no-spawn"], in: repo)["id"]?.stringValue)
        let spawn = ShellQuoting.commandLine([OrangeHarness.binary, "task", "spawn", task])
        let script = (0..<8).map { _ in "(\(spawn) >/dev/null 2>&1; echo $? >> \(h.directory.path)/codes) &" }.joined(separator: "\n") + "\nwait"
        _ = try h.runner.run(["sh", "-c", script], environment: h.environment, input: nil, timeoutSeconds: 120)
        let codes = try FileSystem.readText(h.directory.path + "/codes").split(separator: "\n")
        #expect(codes.filter { $0 == "0" }.count == 1, "\(codes)")
        let history = try h.json(["task", "show", task])["history"]?.arrayValue ?? []
        #expect(history.filter { $0["type"] == "agent.spawned" }.count == 1)
        let pool = try h.json(["workspace", "list"], in: repo).arrayValue ?? []
        #expect(pool.filter { $0["status"] == "bound" }.count <= 1)
        let sessions = try h.runner.run(["tmux", "-L", h.tmuxSocket!, "list-sessions", "-F", "#{session_name}"]).stdout
        #expect(sessions.split(separator: "\n").filter { $0.hasPrefix("coffee/") }.count == 1)
    }

    /// orange stopped between writing a child and adding it to its parent: the next reconcile
    /// repairs the parent from the child's side.
    @Test func aLinkWrittenOnOneSideIsRepaired() throws {
        let h = try OrangeHarness()
        let repo = try h.makeProject("coffee")
        let parent = try #require(try h.json(["task", "create", "p", "parent", "--no-spawn"], in: repo)["id"]?.stringValue)
        let child = try #require(try h.json(["task", "create", "c", "child", "--parent", parent, "--no-spawn"], in: repo)["id"]?.stringValue)
        let store = FileTaskStore(layout: DataDirectory(home: h.home))
        try store.update(TaskID(validating: parent)!, in: ProjectName(validating: "coffee")!) { $0.children = [] }
        #expect(try h.orange(["task", "show", parent]).stdout.contains("names \(parent) as its parent"))
        _ = try h.json(["task", "create", "other", "x", "--no-spawn"], in: repo)  // any write reconciles
        #expect(try h.json(["task", "show", parent])["children"]?.arrayValue?.compactMap(\.stringValue) == [child])
    }

    @Test func installWritesTheSkillForTheChosenHarness() throws {
        let h = try OrangeHarness()
        let fakeHome = h.directory.path + "/user"
        try FileSystem.makeDirectories(fakeHome)
        let result = try h.runner.run([OrangeHarness.binary, "install", "--harness", "claude", "--json"], environment: h.environment.merging(["HOME": fakeHome]) { $1 }, input: nil, timeoutSeconds: 30)
        #expect(result.exitCode == 0, "\(result.stderr)")
        let skill = try FileSystem.readText(fakeHome + "/.claude/skills/orange/SKILL.md")
        #expect(skill.contains("orange task update --status delegated"))
        #expect(skill.contains("orange task create --harness claude"))
        let unknown = try h.runner.run([OrangeHarness.binary, "install", "--harness", "nope"], environment: h.environment.merging(["HOME": fakeHome]) { $1 }, input: nil, timeoutSeconds: 30)
        #expect(unknown.exitCode == 1 && unknown.stderr.contains("unknown harness 'nope'"))
    }
}

@Suite(.serialized, .enabled(if: OrangeHarness.hasTmux, "needs tmux"))
struct DeadAgentTests {
    /// An agent that crashes while working: the next full pass marks the task, and respawn works.
    @Test func aCrashedAgentIsMarkedAndCanBeRespawned() throws {
        let h = try OrangeHarness(tmux: true)
        defer { h.killTmuxServer() }
        try FileSystem.makeDirectories(h.home)
        try AtomicFile.write("#!/bin/sh\nexit 3\n", to: h.directory.path + "/crash.sh", mode: 0o755)
        try AtomicFile.write(#"{"harnesses": {"crash": {"command": ["sh", "\#(h.directory.path)/crash.sh"]}}}"#, to: h.home + "/config.json")
        let repo = try h.makeProject("coffee")
        let task = try #require(try h.json(["task", "create", "crashy", "x", "--harness", "crash"], in: repo)["id"]?.stringValue)
        #expect(try h.status(task) == "working")
        // A full pass, as the engine's sweep or cron's `watch --once` runs it.
        let marked = try h.waitFor(task, "marked") { _ in
            _ = try? h.orange(["watch", "--once"], in: repo)
            return (try? h.json(["task", "show", task]))?["last_error"]?.stringValue?.contains("has exited") == true
        }
        #expect(marked["status"] == "working")
        #expect(marked["workspace"] != .null, "the workspace is kept for the respawn")
        let respawned = try h.orange(["task", "respawn", task])
        #expect(respawned.exitCode == 0, "\(respawned.stderr)")
        #expect(try h.json(["task", "show", task])["history"]?.arrayValue?.filter { $0["type"] == "agent.spawned" }.count == 2)
    }

    /// The session killed, then the whole tmux server killed: each task is marked on the next
    /// full pass, keeps its workspace for the respawn (no slot leaked to nobody), and respawns.
    @Test func aKilledSessionAndAKilledTmuxServerAreMarkedAndRespawn() throws {
        let h = try OrangeHarness(tmux: true)
        defer { h.killTmuxServer() }
        try FileSystem.makeDirectories(h.home)
        try AtomicFile.write(#"{"harnesses": {"sleepy": {"command": ["sleep", "600"]}}}"#, to: h.home + "/config.json")
        let repo = try h.makeProject("coffee")
        let first = try #require(try h.json(["task", "create", "first", "x", "--harness", "sleepy"], in: repo)["id"]?.stringValue)
        let second = try #require(try h.json(["task", "create", "second", "x", "--harness", "sleepy"], in: repo)["id"]?.stringValue)
        func session(_ id: String) throws -> String { try #require(try h.json(["task", "show", id])["tmux_session"]?.stringValue) }
        func markedGone(_ id: String) throws -> JSONValue {
            try h.waitFor(id, "marked") { _ in
                _ = try? h.orange(["watch", "--once"], in: repo)
                return (try? h.json(["task", "show", id]))?["last_error"]?.stringValue?.contains("is gone") == true
            }
        }
        _ = try h.runner.run(["tmux", "-L", h.tmuxSocket!, "kill-session", "-t", "=" + (try session(first))])
        let firstMarked = try markedGone(first)
        #expect(firstMarked["status"] == "working" && firstMarked["workspace"] != .null)
        #expect(try h.json(["task", "show", second])["last_error"] == .null, "the other agent still runs")

        h.killTmuxServer()
        let secondMarked = try markedGone(second)
        #expect(secondMarked["workspace"] != .null)
        let bound = try h.json(["workspace", "list"], in: repo).arrayValue?.compactMap { $0["task"]?.stringValue } ?? []
        #expect(Set(bound) == [first, second], "each slot is still bound to its task")

        for id in [first, second] {
            let respawned = try h.orange(["task", "respawn", id])
            #expect(respawned.exitCode == 0, "\(respawned.stderr)")
            let live = (try? h.runner.run(["tmux", "-L", h.tmuxSocket!, "has-session", "-t", "=" + (try session(id))]))?.exitCode
            #expect(live == 0, "\(id) runs again")
        }
    }
}
