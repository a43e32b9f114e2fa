import OrangeCore
import OrangeSystem
import OrangeTestSupport
import Testing

/// Runs every command of the command table with `--json` against a real home (git project with
/// an origin, agents in a private tmux server, the engine) and checks each output against its
/// documented example in docs/json.md. A command without a run here or without documentation
/// fails, and so does a documented example no run produced: the document cannot drift.
@Suite(.serialized, .enabled(if: OrangeHarness.hasTmux, "needs tmux"))
struct JSONContractEndToEndTests {
    final class Checker {
        let document: JSONContractDocument
        var matched: [String: Set<Int>] = [:]
        var ran: Set<String> = []

        init() throws {
            document = JSONContractDocument(text: try FileSystem.readText(JSONContractDocument.path))
            for problem in document.problems { Issue.record(Comment(rawValue: problem)) }
        }

        /// Runs `orange args --json` and checks its output against the command's examples.
        @discardableResult
        func run(
            _ h: OrangeHarness, _ args: [String], in cwd: String? = nil, environment: [String: String] = [:], exit: Set<Int32> = [0]
        ) throws -> JSONValue {
            let result = try h.orange(args + ["--json"], in: cwd, extraEnvironment: environment)
            let spec = try #require(OrangeCommands.all.filter { args.starts(with: $0.path) }.max { $0.path.count < $1.path.count })
            let name = spec.path.joined(separator: " ")
            ran.insert(name)
            #expect(exit.contains(result.exitCode), "orange \(args.joined(separator: " ")): exit \(result.exitCode) \(result.stderr)")
            let value = try JSONValue.parse(result.stdout)
            #expect(value["schema"]?.intValue == JSONEnvelope.schema, "orange \(name): \(result.stdout)")
            let outcome = document.match(value, among: document.commands[name] ?? [])
            #expect(
                outcome.problems.isEmpty, "orange \(args.joined(separator: " ")) --json differs from docs/json.md: \(outcome.problems)")
            if let index = outcome.index { matched[name, default: []].insert(index) }
            for line in result.stderr.split(separator: "\n") {
                // Under --json, stderr holds only warning envelopes (and git's own words never).
                let warning = try? JSONValue.parse(String(line))
                #expect(
                    warning?["schema"]?.intValue == JSONEnvelope.schema && warning?["warning"]?.stringValue != nil,
                    "orange \(name) --json: stderr line is not a warning envelope: \(line)")
            }
            return value
        }
    }

    @Test func everyCommandsJSONMatchesDocsJSON() throws {
        let checker = try Checker()
        let document = checker.document
        let h = try OrangeHarness(tmux: true)
        defer { h.killTmuxServer() }
        try h.installSleepyAgent()
        let spare = try h.makeProject("spare")
        let repo = try h.makeProject("coffee")

        // Projects.
        try checker.run(h, ["project", "list"])
        try checker.run(h, ["project", "update", "coffee", "--pool-size", "2"])
        try checker.run(h, ["project", "remove", "spare"])
        try checker.run(h, ["project", "add", spare, "--name", "spare"])
        // Set after '--' (where --json would be part of the command), then shown.
        #expect(try h.orange(["project", "setup", "-p", "spare", "--", "true"]).exitCode == 0)
        let setup = try checker.run(h, ["project", "setup", "-p", "spare"])
        #expect(setup["project"]?["setup"]?["command"]?.arrayValue == [.string("true")], "\(setup)")

        // A chain, read every way.
        func id(_ value: JSONValue) throws -> String { try #require(value["task"]?["id"]?.stringValue) }
        let db = try id(checker.run(h, ["task", "create", "oauth-db", "schema", "--harness", "sleepy", "--no-spawn"], in: repo))
        let api = try id(
            checker.run(h, ["task", "create", "oauth-api", "endpoints", "--harness", "sleepy", "--blocked-by", db, "--no-spawn"], in: repo))
        try checker.run(h, ["task", "list"], in: repo)
        try checker.run(h, ["task", "show", api])
        try checker.run(h, ["task", "why", api])
        try checker.run(h, ["task", "update", api, "--description", "the endpoints"])  // its reconcile starts db
        try checker.run(h, ["task", "hold", api, "--reason", "wait for the design"])
        try checker.run(h, ["task", "unhold", api])

        // An agent's life: spawned, attached, restarted, reviewed, merged.
        let solo = try id(checker.run(h, ["task", "create", "solo", "alone", "--harness", "sleepy", "--no-spawn"], in: repo))
        try checker.run(h, ["task", "spawn", solo])
        let session = try #require(try checker.run(h, ["task", "attach", solo])["session"]?.stringValue)
        _ = try h.runner.run(["tmux", "-L", h.tmuxSocket!, "kill-session", "-t", "=" + session])
        try checker.run(h, ["task", "respawn", solo])
        try checker.run(h, ["task", "log", solo, "-n", "5"])
        try checker.run(h, ["task", "update", solo, "--status", "reviewing", "--as", "agent"])
        let changes = try checker.run(h, ["task", "request-changes", solo, "use", "tabs"])
        #expect(changes["task"]?["status"] == "working" && changes["delivered"] == "typed", "\(changes)")
        try checker.run(h, ["task", "update", solo, "--status", "reviewing", "--as", "agent"])
        try checker.run(h, ["task", "approve", solo])
        try checker.run(h, ["task", "unapprove", solo])
        try checker.run(h, ["task", "approve", solo])
        let merged = try checker.run(h, ["task", "merge", solo])
        #expect(merged["task"]?["status"] == "done" && merged["task"]?["workspace"] == .null, "\(merged)")
        // A pull request, through a scripted gh: opened, named again, merged through it.
        let gh = try ScriptedGitHub(h)
        let forge = ["PATH": gh.path]
        let reviewed = try h.reviewingTask("oauth-ui", "button", in: repo)
        let opened = try checker.run(h, ["task", "pr", reviewed], in: repo, environment: forge)
        #expect(opened["task"]?["pr_url"] == .string(ScriptedGitHub.url), "\(opened)")
        try checker.run(h, ["task", "create-pr", reviewed], in: repo, environment: forge)
        try checker.run(h, ["project", "update", "coffee", "--merge-via", "pr", "--pr-merge", "squash"])
        try checker.run(h, ["task", "approve", reviewed])
        gh.answer(state: "MERGED", review: "APPROVED")
        let viaPR = try checker.run(h, ["task", "merge", reviewed], in: repo, environment: forge)
        #expect(viaPR["merged"] == true && viaPR["task"]?["pr_state"] == "MERGED", "\(viaPR)")
        try checker.run(h, ["project", "update", "coffee", "--merge-via", "origin"])
        let old = try id(checker.run(h, ["task", "create", "old", "old", "--status", "reviewing", "--no-spawn"], in: repo))
        try checker.run(h, ["task", "cancel", old, "--yes"])
        try checker.run(h, ["task", "delete", old, "--yes"])

        // Workspaces.
        try checker.run(h, ["workspace", "init"], in: repo)
        let slots = try checker.run(h, ["workspace", "list"], in: repo)["workspaces"]?.arrayValue ?? []
        try checker.run(h, ["workspace", "gc"])
        let free = try #require(slots.first { $0["status"] == "available" }?["name"]?.stringValue, "\(slots)")
        try checker.run(h, ["workspace", "release", free])

        // Views.
        try checker.run(h, ["graph"], in: repo)
        try checker.run(h, ["dashboard"], in: repo)
        try checker.run(h, ["log", "-n", "3"])
        try checker.run(h, ["doctor"], exit: [0, 1])
        try checker.run(h, ["watch", "--once"])

        // The engine running: its event lines, and sync.
        let watch = try h.startWatch(in: repo, arguments: ["--json"])
        try checker.run(h, ["watch", "sync"])
        let late = try id(checker.run(h, ["task", "create", "late", "late", "--harness", "sleepy", "--hold"], in: repo))
        try checker.run(h, ["task", "update", late, "--description", "later"])
        try checker.run(h, ["watch", "sync"])
        h.stopWatch(watch)
        let events = h.watchLog.split(separator: "\n")
        #expect(events.count >= 3, "\(h.watchLog)")
        for line in events {
            let event = try JSONValue.parse(String(line))
            let outcome = document.match(event, among: document.lines["watch"] ?? [])
            #expect(outcome.problems.isEmpty, "watch --json line differs from docs/json.md: \(line): \(outcome.problems)")
        }

        // Set-up commands, in a scratch HOME and prefix.
        let user = ["HOME": h.directory.path + "/user", "XDG_CONFIG_HOME": h.directory.path + "/config"]
        try checker.run(h, ["completion", "bash"])
        try checker.run(h, ["completion", "--list", "projects"])
        try checker.run(h, ["service", "install", "--print"], environment: user)
        try checker.run(h, ["service", "install"], environment: user)
        try checker.run(h, ["service", "status"], environment: user)
        try checker.run(h, ["service", "uninstall"], environment: user)
        try checker.run(h, ["install", "--prefix", h.directory.path + "/prefix"], environment: user)
        try checker.run(h, ["uninstall"], environment: user)

        // Shared tasks (docs/multi-machine.md): a bare remote on this machine.
        let tasksRemote = h.directory.path + "/tasks-remote.git"
        try h.runner.check(["git", "init", "-q", "--bare", "-b", "main", tasksRemote])
        let machine = ["ORANGE_MACHINE_ID": "contract-machine"]
        try checker.run(h, ["sync", "status"], environment: machine)
        try checker.run(h, ["sync", "init", "--remote", tasksRemote], environment: machine)
        try checker.run(h, ["sync", "status"], environment: machine)
        try checker.run(h, ["sync", "now"], environment: machine)
        try checker.run(h, ["sync", "release-claims", "--machine", "gone-machine"], environment: machine)

        // The demo, in its own throwaway home: only its envelope on stdout.
        let demo = try checker.run(h, ["demo"])
        #expect(demo["ok"] == true, "\(demo)")

        // git's merge driver for TASK.md, on files as git hands them: clean, then a conflict.
        let merge = h.directory.path + "/merge"
        try FileSystem.makeDirectories(merge)
        let taskText = "---\nid: T1\nproject: coffee\nstatus: pending\ndescription: Make coffee\n---\n"
        for name in ["base", "current", "other"] { try AtomicFile.write(taskText, to: merge + "/" + name) }
        try checker.run(h, ["sync", "merge-driver", "base", "current", "other", "coffee/T1/TASK.md"], in: merge)
        try AtomicFile.write(taskText.replacing("coffee\n---", with: "tea\n---"), to: merge + "/current")
        try AtomicFile.write(taskText.replacing("coffee\n---", with: "cocoa\n---"), to: merge + "/other")
        try checker.run(h, ["sync", "merge-driver", "base", "current", "other", "coffee/T1/TASK.md"], in: merge, exit: [1])

        // Errors.
        let missing = try h.orange(["task", "show", "nope", "--json"])
        #expect(missing.exitCode == 1)
        let usage = try h.orange(["task", "list", "--status", "bogus", "--json"])
        let usageKind = try JSONValue.parse(usage.stdout)["error"]?["kind"]
        #expect(usage.exitCode == 2 && usageKind == "usage", "\(usage.stdout)")
        for output in [missing.stdout, usage.stdout] {
            let outcome = document.match(try JSONValue.parse(output), among: document.errors)
            #expect(outcome.problems.isEmpty, "error differs from docs/json.md: \(output): \(outcome.problems)")
        }

        // Help and the version are envelopes too.
        let help = try JSONValue.parse(try h.orange(["task", "list", "--help", "--json"]).stdout)
        #expect(help["schema"]?.intValue == JSONEnvelope.schema && help["help"]?.stringValue?.contains("orange task list") == true)
        #expect(try h.json(["--version"])["version"]?.stringValue == OrangeCommands.version)

        // Every command ran, is documented, and every documented example was produced.
        for spec in OrangeCommands.all {
            let name = spec.path.joined(separator: " ")
            #expect(checker.ran.contains(name), "orange \(name) has no --json run in this test: add one, and its output to docs/json.md")
            #expect(document.commands[name]?.isEmpty == false, "orange \(name) has no '### orange \(name)' example in docs/json.md")
            let examples = document.commands[name]?.count ?? 0
            for index in 0..<examples where checker.matched[name]?.contains(index) != true {
                Issue.record("docs/json.md: example \(index + 1) of 'orange \(name)' matched no output of this test")
            }
        }
        let names = Set(OrangeCommands.all.map { $0.path.joined(separator: " ") })
        for name in Set(document.commands.keys).union(document.lines.keys) where !names.contains(name) {
            Issue.record("docs/json.md documents 'orange \(name)', which is not a command")
        }
    }
}
