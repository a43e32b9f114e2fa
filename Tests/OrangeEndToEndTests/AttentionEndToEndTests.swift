import OrangeCore
import OrangeSystem
import OrangeTestSupport
import Testing

/// Records each call's arguments, one call a line.
let recordingHook = "#!/bin/sh\nprintf '%s|' \"$@\" >> \"$0.calls\"\necho >> \"$0.calls\"\n"

/// Reports stuck at once and waits.
let stuckAgent = "#!/bin/sh\norange task update --status stuck\nexec sleep 3600\n"

@Suite(.serialized, .enabled(if: OrangeHarness.hasTmux, "needs tmux"))
struct AttentionEndToEndTests {
    func install(_ h: OrangeHarness) throws {
        let hook = h.directory.path + "/hook.sh"
        try FileSystem.makeDirectories(h.home)
        try AtomicFile.write(recordingHook, to: hook, mode: 0o755)
        try AtomicFile.write(stuckAgent, to: h.directory.path + "/stuck.sh", mode: 0o755)
        try h.installReviewAgents(
            extraConfig: #"""
                ,
                "notify": {"command": ["\#(hook)", "{event}", "{id}", "{project}", "{status}", "{description}", "{unknown}"], "timeout_seconds": 5}
                """#)
        // The stuck agent joins the harnesses of installReviewAgents.
        let config = try FileSystem.readText(h.home + "/config.json")
        try AtomicFile.write(
            config.replacing(
                #""talk": {"#, with: #""stuck": {"command": ["sh", "\#(h.directory.path)/stuck.sh"]}, "talk": {"#),
            to: h.home + "/config.json")
    }

    func calls(_ h: OrangeHarness) -> [String] { h.text("hook.sh.calls").split(separator: "\n").map(String.init) }

    @Test func theEngineRunsTheHookOncePerTaskAndEventAcrossRestarts() throws {
        let h = try OrangeHarness(tmux: true)
        defer { h.killTmuxServer() }
        try install(h)
        let repo = try h.makeProject("coffee")
        var pid = try h.startWatch(in: repo)
        let id = try #require(try h.task(["task", "create", "tabs", "indent {id}", "--harness", "review"], in: repo)["id"]?.stringValue)
        // The agent's own command made the task reviewing; the engine notified.
        try h.eventually("the reviewing notification") { !calls(h).isEmpty }
        #expect(calls(h) == ["reviewing|\(id)|coffee|reviewing|indent {id}|{unknown}|"], "\(calls(h))")
        let stuck = try #require(try h.task(["task", "create", "hard", "blocked", "--harness", "stuck"], in: repo)["id"]?.stringValue)
        try h.eventually("the stuck notification") { calls(h).count == 2 }
        #expect(calls(h).last == "stuck|\(stuck)|coffee|stuck|blocked|{unknown}|", "\(calls(h))")

        // A restart (and full passes) do not notify again.
        h.stopWatch(pid)
        pid = try h.startWatch(in: repo)
        _ = try h.orange(["watch", "sync"])
        h.stopWatch(pid)
        _ = try h.orange(["watch", "--once"], in: repo)
        #expect(calls(h).count == 2, "\(calls(h))")

        // A person's approval needs no notification; a new review round does.
        pid = try h.startWatch(in: repo)
        defer { h.stopWatch(pid) }
        _ = try h.json(["task", "request-changes", id, "again"])
        try h.eventually("the second reviewing notification") { calls(h).count == 3 }
        #expect(calls(h).last?.hasPrefix("reviewing|\(id)|") == true, "\(calls(h))")
        _ = try h.json(["task", "approve", id])
        _ = try h.orange(["watch", "sync"])
        #expect(calls(h).count == 3, "\(calls(h))")
        let history = try FileSystem.readText("\(h.home)/tasks/coffee/\(id)/history.jsonl")
        #expect(history.split(separator: "\n").filter { $0.contains("\"attention.notified\"") }.count == 2, "\(history)")
    }

    @Test func whileNoEngineRanTheNextStartCatchesUp() throws {
        let h = try OrangeHarness(tmux: true)
        defer { h.killTmuxServer() }
        try install(h)
        let repo = try h.makeProject("coffee")
        let id = try #require(try h.task(["task", "create", "hard", "blocked", "--harness", "stuck"], in: repo)["id"]?.stringValue)
        _ = try h.waitFor(id, "stuck") { $0["status"] == "stuck" }
        #expect(calls(h).isEmpty, "the CLI does not notify: the engine does")
        _ = try h.orange(["watch", "--once"], in: repo)
        #expect(calls(h) == ["stuck|\(id)|coffee|stuck|blocked|{unknown}|"], "\(calls(h))")
        _ = try h.orange(["watch", "--once"], in: repo)
        #expect(calls(h).count == 1)
    }

    @Test func aHookThatIsNotInstalledRecordsNothingAndIsSaidOnce() throws {
        let h = try OrangeHarness(tmux: true)
        defer { h.killTmuxServer() }
        try install(h)
        let config = try FileSystem.readText(h.home + "/config.json")
        let hook = h.directory.path + "/hook.sh"
        try AtomicFile.write(
            config.replacing("\"notify\": {\"command\": [\"\(hook)\"", with: "\"notify\": {\"command\": [\"no-such-notifier\""),
            to: h.home + "/config.json")
        let repo = try h.makeProject("coffee")
        let id = try #require(try h.task(["task", "create", "hard", "blocked", "--harness", "stuck"], in: repo)["id"]?.stringValue)
        _ = try h.waitFor(id, "stuck") { $0["status"] == "stuck" }
        let pass = try h.orange(["watch", "--once"], in: repo)
        #expect(pass.stderr.contains("'no-such-notifier' is not found"), "\(pass.stderr)")
        #expect(!h.historyTypes(id, project: "coffee").contains(Attention.notifiedType))
        // Installed (here: the recording hook) later, what is still due is sent, once.
        try AtomicFile.write(config, to: h.home + "/config.json")
        _ = try h.orange(["watch", "--once"], in: repo)
        _ = try h.orange(["watch", "--once"], in: repo)
        #expect(calls(h) == ["stuck|\(id)|coffee|stuck|blocked|{unknown}|"], "\(calls(h))")
    }
}

@Suite(.serialized, .enabled(if: OrangeHarness.hasTmux, "needs tmux"))
struct WorktreeSetupEndToEndTests {
    @Test func theSetupCommandRunsInTheWorktreeBeforeTheAgentAndItsOutputIsKept() throws {
        let h = try OrangeHarness(tmux: true)
        defer { h.killTmuxServer() }
        try h.installReviewAgents()
        let repo = try h.makeProject("coffee")
        try AtomicFile.write("SECRET=1\n", to: repo + "/.env")
        // --json before '--': everything after it is the command.
        let set = try #require(
            try JSONValue.parse(
                try h.orange(
                    [
                        "project", "setup", "-p", "coffee", "--json", "--", "sh", "-c",
                        #"echo setting up in "$(pwd)"; cp "$ORANGE_PROJECT_PATH/.env" ."#,
                    ]
                ).stdout)["project"])
        #expect(set["name"] == "coffee", "\(set)")
        #expect(set["setup"]?["command"]?.arrayValue?.count == 3 && set["setup"]?["timeout_seconds"] == 300, "\(set)")
        #expect(try h.json(["project", "list"])["projects"]?.arrayValue?.first?["setup"] == set["setup"])
        let id = try #require(try h.task(["task", "create", "env", "x", "--harness", "review"], in: repo)["id"]?.stringValue)
        let shown = try h.waitFor(id, "reviewing") { $0["status"] == "reviewing" }
        let workspace = try #require(shown["workspace"]?.stringValue)
        #expect(try FileSystem.readText(h.home + "/workspaces/\(workspace)/.env") == "SECRET=1\n")
        let log = try #require(try h.json(["task", "show", id])["setup_log"]?.stringValue)
        #expect(log == "\(h.home)/tasks/coffee/\(id)/setup.log")
        let logText = try FileSystem.readText(log)
        #expect(logText.contains("/workspaces/\(workspace)\n"), "\(logText)")
        #expect(try h.orange(["task", "show", id]).stdout.contains("setup log:   \(log)"))
        #expect(h.historyTypes(id, project: "coffee").contains("setup.finished"))
        #expect(try h.orange(["doctor"]).exitCode == 0, "setup.log is one of a task folder's files")
    }

    @Test func aFailingOrSlowSetupIsASpawnFailureWithTheOutputsTail() throws {
        let h = try OrangeHarness(tmux: true)
        defer { h.killTmuxServer() }
        try h.installReviewAgents()
        let repo = try h.makeProject("coffee", poolSize: 1)
        #expect(
            try h.orange(["project", "setup", "-p", "coffee", "--", "sh", "-c", "echo first line; echo npm ERR boom >&2; exit 7"]).exitCode
                == 0)
        let id = try #require(
            try h.task(["task", "create", "deps", "x", "--harness", "review", "--no-spawn"], in: repo)["id"]?.stringValue)
        #expect(try h.orange(["task", "spawn", id]).exitCode == 1)
        let failed = try h.task(["task", "show", id])
        #expect(failed["status"] == "pending" && failed["spawn_failures"] == 1 && failed["workspace"] == .null, "\(failed)")
        let error = failed["last_error"]?.stringValue ?? ""
        #expect(error.contains("setup command exited with status 7") && error.contains("npm ERR boom"), "\(error)")
        #expect(try FileSystem.readText(h.home + "/tasks/coffee/\(id)/setup.log").contains("first line"))

        // A timeout too; clearing the command lets the task start.
        #expect(try h.orange(["project", "setup", "-p", "coffee", "--timeout", "1", "--", "sleep", "30"]).exitCode == 0)
        let other = try #require(
            try h.task(["task", "create", "slow", "y", "--harness", "review", "--no-spawn"], in: repo)["id"]?.stringValue)
        #expect(try h.orange(["task", "spawn", other]).exitCode == 1)
        #expect(try h.task(["task", "show", other])["last_error"]?.stringValue?.contains("timed out after 1 s") == true)
        let cleared = try h.json(["project", "setup", "-p", "coffee", "--clear"])
        #expect(cleared["project"]?["name"] == "coffee" && cleared["project"]?["setup"] == .null, "\(cleared)")
        #expect(try h.orange(["project", "setup", "--help"]).stdout.contains("setup.log"))
        #expect(try h.orange(["project", "setup", "-p", "coffee", "--timeout", "0"]).exitCode == 2)
    }
}
