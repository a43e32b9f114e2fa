import OrangeCore
import OrangeSystem
import OrangeTestSupport
import Testing

/// The command line as a contract: exit codes, `orange help`, the dashboard's shortcuts.
@Suite struct CommandLineEndToEndTests {
    @Test func everyInvalidOptionValueIsAUsageError() throws {
        let h = try OrangeHarness()
        let repo = try h.makeProject("coffee")
        let id = try #require(try h.task(["task", "create", "values", "option values", "--no-spawn"], in: repo)["id"]?.stringValue)
        let cases: [[String]] = [
            ["task", "list", "--status", "bogus"],
            ["task", "list", "--status", "pending,bogus"],
            ["task", "create", "other", "x", "--status", "working", "--no-spawn"],
            ["task", "update", id, "--status", "bogus"],
            ["task", "update", id, "--description", "d", "--as", "robot"],
            ["task", "merge", id, "--strategy", "x"],
            ["graph", "--format", "svg"],
            ["log", "--lines", "abc"],
            ["log", "--lines", "0"],
            ["log", "--level", "loud"],
            ["watch", "--quiet-ms", "abc"],
            ["watch", "--sweep-interval", "never"],
            ["watch", "--poll-interval", "-1"],
            ["watch", "sync", "--timeout", "soon"],
            ["project", "update", "coffee", "--pool-size", "abc"],
            ["project", "add", repo, "--name", "tea", "--pool-size", "0"],
        ]
        for args in cases {
            let result = try h.orange(args, in: repo)
            #expect(result.exitCode == 2, "\(args): \(result.exitCode) \(result.stderr)")
            let spec = try #require(OrangeCommands.all.filter { args.starts(with: $0.path) }.max { $0.path.count < $1.path.count })
            #expect(result.stderr.contains("Usage: \(HelpRenderer.usage(spec))"), "\(args): \(result.stderr)")
            let json = try h.orange(args + ["--json"], in: repo)
            #expect(
                json.exitCode == 2 && OrangeHarness.errorMessage(json.stdout) != nil
                    && (try? JSONValue.parse(json.stdout))?["error"]?["kind"] == "usage", "\(args) --json: \(json.stdout)")
        }
        // Nothing was written by the refused commands.
        #expect(try h.task(["task", "show", id])["status"]?.stringValue == "pending")
        #expect(try h.json(["project", "list"])["projects"]?.arrayValue?.count == 1)
    }

    @Test func helpCommandPrintsTheSameAsHelpOption() throws {
        let h = try OrangeHarness()
        for words in [[], ["task"], ["task", "create"], ["dashboard"], ["watch", "sync"]] {
            let help = try h.orange(["help"] + words)
            let option = try h.orange(words + ["--help"])
            #expect(help.exitCode == 0 && help.stdout == option.stdout && !help.stdout.isEmpty, "\(words)")
        }
        let unknown = try h.orange(["help", "frobnicate"])
        #expect(unknown.exitCode == 2 && unknown.stderr.contains("unknown command 'frobnicate'"))
    }

    @Test func dashboardOptionsAloneOpenTheDashboard() throws {
        let h = try OrangeHarness()
        let repo = try h.makeProject("coffee")
        let tea = try h.makeProject("tea")
        _ = try h.task(["task", "create", "brew", "coffee task", "--no-spawn"], in: repo)
        _ = try h.task(["task", "create", "steep", "tea task", "--no-spawn"], in: tea)
        // Without a terminal, as 'orange dashboard …' would: the rows with --json.
        for (args, names) in [
            (["--all"], ["brew", "steep"]), (["-a"], ["brew", "steep"]), (["--project", "tea"], ["steep"]), (["-p", "coffee"], ["brew"]),
            (["--project=tea", "--flat"], ["steep"]),
        ] {
            let result = try h.orange(args + ["--json"], in: h.directory.path)
            #expect(result.exitCode == 0, "\(args): \(result.stderr)")
            let rows = try JSONValue.parse(result.stdout)["rows"]?.arrayValue ?? []
            #expect(
                rows.compactMap { $0["name"]?.stringValue?.split(separator: "/").last.map(String.init) }.sorted() == names,
                "\(args): \(result.stdout)")
        }
        let plain = try h.orange(["--all"])
        #expect(plain.exitCode == 1 && plain.stderr.contains("the dashboard needs a terminal"))
        // Options of no command, before one, are still refused.
        #expect(try h.orange(["--bogus"]).exitCode == 2)
    }
}

/// `task create` says whether it started the task's agent, in its JSON and its text.
@Suite struct TaskCreateSpawnReportEndToEndTests {
    @Test func createSaysWhyItsAgentDidNotStart() throws {
        let h = try OrangeHarness()
        let repo = try h.makeProject("coffee")
        // No agent is installed on the test's PATH: created (exit 0), not started, and why.
        let created = try h.orange(["task", "create", "first", "x", "--harness", "claude", "--json"], in: repo)
        #expect(created.exitCode == 0)
        let task = try JSONValue.parse(created.stdout)
        let id = try #require(task["task"]?["id"]?.stringValue)
        #expect(task["spawn"]?["started"] == .bool(false))
        #expect(task["spawn"]?["reason"]?.stringValue?.contains("harness 'claude' is not installed") == true, "\(task)")
        let blocked = try h.json(["task", "create", "second", "y", "--blocked-by", id], in: repo)
        #expect(blocked["spawn"]?["reason"]?.stringValue?.contains("blocked by \(id)") == true, "\(blocked)")
        let held = try h.json(["task", "create", "third", "z", "--no-spawn"], in: repo)
        #expect(held["spawn"]?["started"] == .bool(false) && held["spawn"]?["reason"]?.stringValue?.contains("--no-spawn") == true)
        let text = try h.orange(["task", "create", "fourth", "w", "--harness", "claude"], in: repo)
        #expect(
            text.exitCode == 0 && text.stdout.contains("Agent not started: ") && text.stdout.contains("is not installed"), "\(text.stdout)")
    }

    @Test func createSaysWhereItsAgentStarted() throws {
        guard OrangeHarness.hasTmux else { return }
        let h = try OrangeHarness(tmux: true)
        defer { h.killTmuxServer() }
        try AtomicFile.write("sleep 600\n", to: h.directory.path + "/sleepy.sh")
        try FileSystem.makeDirectories(h.home)
        try AtomicFile.write(
            #"{"harnesses": {"sleepy": {"command": ["sh", "\#(h.directory.path)/sleepy.sh"]}}}"#, to: h.home + "/config.json")
        let repo = try h.makeProject("coffee")
        let task = try h.json(["task", "create", "runs", "x", "--harness", "sleepy"], in: repo)
        #expect(task["spawn"]?["started"] == .bool(true), "\(task)")
        #expect(task["spawn"]?["workspace"]?.stringValue == "coffee--1" && task["spawn"]?["session"]?.stringValue != nil, "\(task)")
        _ = try h.orange(["task", "cancel", task["task"]?["id"]?.stringValue ?? "", "--yes"])
    }
}
