import OrangeCore
import OrangeSystem

extension Commands {
    /// `orange demo`: a real task graph run end to end with a simulated agent, under the real
    /// engine, in a throwaway ORANGE_HOME with a real git project (and origin) and a private
    /// tmux server. The demo plays the human: it approves and merges what agents hand in.
    func demo() throws -> CommandResult {
        let runner = ProcessRunner()
        let clock = SystemClock()
        // Under --json stdout holds the one envelope at the end, nothing else.
        let stream = context.console.streamOutput
        let quiet = invocation.wantsJSON
        let say: @Sendable (String) -> Void = { text in if !quiet { stream(text) } }
        guard context.processes.isInstalled("tmux"), context.processes.isInstalled("git") else {
            throw OrangeError("the demo needs git and tmux (apt-get install -y git tmux)")
        }
        let root = try DemoWorkspace.create()
        let home = root + "/home", repo = root + "/repo", origin = root + "/origin.git"
        let socket = "orange-demo-\(context.processes.table.currentProcess)"
        let started = clock.monotonicNanoseconds()
        func elapsed() -> String {
            let ms = Int((clock.monotonicNanoseconds() - started) / 1_000_000)
            let text = String(ms / 1000) + "." + String(1000 + ms % 1000).dropFirst()
            return "[" + String(repeating: " ", count: max(0, 7 - text.count)) + text + "s]"
        }
        var env = [
            "ORANGE_HOME": home, "ORANGE_TMUX_SOCKET": socket, "NO_COLOR": "1", "GIT_TERMINAL_PROMPT": "0",
            "GIT_AUTHOR_NAME": "orange demo", "GIT_AUTHOR_EMAIL": "demo@orange.invalid",
            "GIT_COMMITTER_NAME": "orange demo", "GIT_COMMITTER_EMAIL": "demo@orange.invalid",
        ]
        env["ORANGE_HARNESS"] = "demo"
        let orange = context.processes.executablePath
        @discardableResult
        func run(_ args: [String], in cwd: String = repo, input: String? = nil) throws -> ProcessResult {
            try runner.check(["env", "-C", cwd, orange] + args, environment: env, input: input, timeoutSeconds: 120)
        }
        var watchPID = ""
        defer {
            if !watchPID.isEmpty { _ = try? runner.run(["kill", "-TERM", watchPID]) }
            _ = try? runner.run(["tmux", "-L", socket, "kill-server"])
            if !invocation.flag("keep") { try? FileSystem.removeTree(root) }
        }

        say("orange demo: a throwaway ORANGE_HOME in \(root)\n")
        // A real project: a repository with an origin, registered with a pool of 2 workspaces.
        try runner.check(["git", "init", "-q", "--bare", "-b", "main", origin])
        try runner.check(["git", "clone", "-q", origin, repo], environment: env)
        try AtomicFile.write("# demo app\n", to: repo + "/README.md", mode: 0o644)
        try runner.check(["git", "-C", repo, "add", "README.md"], environment: env)
        try runner.check(["git", "-C", repo, "commit", "-q", "-m", "initial commit"], environment: env)
        try runner.check(["git", "-C", repo, "push", "-q", "-u", "origin", "main"], environment: env)
        try runner.check(["git", "-C", repo, "remote", "set-head", "origin", "main"], environment: env)
        try FileSystem.makeDirectories(home)
        try AtomicFile.write(DemoAgent.script, to: root + "/agent.sh", mode: 0o755)
        try AtomicFile.write(
            #"{"harnesses": {"demo": {"command": ["sh", "\#(root)/agent.sh", "{task_file}", "{prompt}"]}}}"# + "\n",
            to: home + "/config.json")
        try run(["project", "add", repo, "--name", "demo", "--pool-size", "2"])

        // The engine, as a user would run it.
        let log = root + "/watch.jsonl"
        watchPID = try runner.check(
            ["sh", "-c", "\(ShellQuoting.quote(orange)) watch --json --sweep-interval 5 > \(ShellQuoting.quote(log)) 2>&1 & echo $!"],
            environment: env
        ).stdout.trimmingSpaces()
        let readyDeadline = clock.monotonicNanoseconds() + 20_000_000_000
        while (try? runner.run(
            ["env", "-C", repo, orange, "watch", "sync", "--timeout", "2"], environment: env, input: nil, timeoutSeconds: 10))?.succeeded
            != true
        {
            guard clock.monotonicNanoseconds() < readyDeadline else {
                throw OrangeError("the engine did not start: \((try? FileSystem.readText(log)) ?? "")")
            }
        }
        say("\(elapsed()) engine running (orange watch, pid \(watchPID))\n\n")

        // Flow 1: an orchestrator builds a chain.
        say("Flow 1: orchestrator chain oauth-db → oauth-api → oauth-ui\n")
        func created(_ result: ProcessResult) throws -> String {
            guard let id = try JSONValue.parse(result.stdout)["task"]?["id"]?.stringValue else {
                throw OrangeError("task create printed no id")
            }
            return id
        }
        let db = try created(run(["task", "create", "oauth-db", "OAuth database schema", "--json", "--no-spawn"]))
        let api = try created(run(["task", "create", "oauth-api", "OAuth endpoints", "--blocked-by", db, "--json", "--no-spawn"]))
        _ = try created(run(["task", "create", "oauth-ui", "OAuth login button", "--blocked-by", api, "--json", "--no-spawn"]))
        // Flow 2: a worker delegates, one sub-task delegates again.
        say("Flow 2: a worker on \"Add login audit\" delegates into 3 sub-tasks; audit-ui delegates again into 2\n\n")
        let plan = """
            ## Plan
            audit-db | audit table
            audit-api | audit endpoint | audit-db
            audit-ui | audit screen | audit-api | audit-ui-list | audit list ; audit-ui-filter | audit filters | audit-ui-list
            """
        _ = try created(
            run(["task", "create", "add-audit", "Add login audit", "--context", "-", "--json", "--no-spawn"], input: plan + "\n"))
        // Flow 3: the seed's future: a sequential parent on the hierarchical branch model.
        say(
            "Flow 3: \"Write release notes\" runs its 2 sub-tasks one at a time (sequential, reassessing after each) on its own branch (hierarchical), reviewed once\n\n"
        )
        let notesPlan = """
            ## Plan
            notes-draft | draft the release notes
            notes-polish | polish the release notes
            """
        _ = try created(
            run(
                [
                    "task", "create", "release-notes", "Write release notes", "--execution", "sequential", "--branches", "hierarchical",
                    "--context", "-", "--json", "--no-spawn",
                ], input: notesPlan + "\n"))

        // Play the human until everything is done; show the engine's own events as they come.
        let store = FileTaskStore(layout: DataDirectory(home: home))
        var offset = 0
        var merged: Set<TaskID> = []
        let deadline = clock.monotonicNanoseconds() + 60_000_000_000
        while true {
            let text = (try? FileSystem.readText(log)) ?? ""
            if text.utf8.count > offset {
                let fresh = String(decoding: Array(text.utf8)[offset...], as: UTF8.self)
                let complete = fresh.lastIndex(of: "\n").map { fresh[...$0] } ?? ""
                offset += complete.utf8.count
                for line in complete.split(separator: "\n") {
                    if let event = try? JSONValue.parse(String(line)),
                        let formatted = DemoTimeline.format(event, tasks: try store.scan(project: nil).tasks)
                    {
                        say("\(elapsed()) \(formatted)\n")
                    }
                }
            }
            let tasks = try store.scan(project: nil).tasks
            if !tasks.isEmpty && tasks.allSatisfy({ $0.status == .done }) { break }
            if let failed = tasks.first(where: { [.failed, .stuck, .cancelled].contains($0.status) }) {
                throw OrangeError("demo failed: task \(failed.branch) is \(failed.status.rawValue): \(failed.lastError ?? "")")
            }
            for task in tasks where task.status == .reviewing && !merged.contains(task.id) {
                merged.insert(task.id)
                say("\(elapsed()) you: approve and merge \(task.branch)\n")
                try run(["task", "approve", task.id.rawValue])
                try run(["task", "merge", task.id.rawValue])
            }
            guard clock.monotonicNanoseconds() < deadline else {
                throw OrangeError("demo timed out; tasks: \(tasks.map { "\($0.branch)=\($0.status.rawValue)" })")
            }
            context.clock.sleep(milliseconds: 20)
        }
        _ = try? run(["watch", "sync", "--timeout", "5"])

        // Check what must have happened.
        let tasks = try store.scan(project: nil).tasks
        let byBranch = Dictionary(tasks.map { ($0.branch, $0) }, uniquingKeysWith: { a, _ in a })
        var problems: [String] = []
        for branch in [
            "oauth-db", "oauth-api", "oauth-ui", "add-audit", "audit-db", "audit-api", "audit-ui", "audit-ui-list", "audit-ui-filter",
            "release-notes", "notes-draft", "notes-polish",
        ] where byBranch[branch]?.status != .done {
            problems.append("\(branch) is not done")
        }
        for branch in ["add-audit", "audit-ui"] {
            let history = (try? store.history(of: byBranch[branch]!.id, in: byBranch[branch]!.project)) ?? []
            if !history.contains(where: {
                $0.type == "status.changed" && $0.fields.contains { $0.0 == "by" && $0.1 == "engine" }
                    && $0.fields.contains { $0.0 == "from" && $0.1 == "delegated" }
            }) {
                problems.append("\(branch) was not auto-completed by the engine")
            }
        }
        let originLog = try runner.check(["git", "-C", origin, "log", "--format=%s", "main"]).stdout
        for branch in [
            "oauth-db", "oauth-api", "oauth-ui", "audit-db", "audit-api", "audit-ui-list", "audit-ui-filter", "notes-draft", "notes-polish",
        ] {
            if let task = byBranch[branch], originLog.split(separator: "\n").filter({ $0 == task.description }).count != 1 {
                problems.append("\(branch)'s work is not on origin/main exactly once")
            }
        }
        problems += checkModesFlow(byBranch, store: store)
        say("\nThe graph at the end:\n" + (try run(["task", "list", "--tree"]).stdout))
        let seconds = Double(clock.monotonicNanoseconds() - started) / 1e9
        let summary =
            "\(tasks.count) tasks done in \(String(Int(seconds * 10) / 10)).\(Int(seconds * 10) % 10)s: 1 chain of 3, 1 delegation into 3 with a nested delegation into 2, 1 sequential hierarchical delegation into 2; every agent ran in its own worktree and tmux session."
        if !problems.isEmpty { throw OrangeError("demo finished with problems: " + problems.joined(separator: "; ")) }
        say("\n\(summary)\n" + (invocation.flag("keep") ? "Kept \(root) (ORANGE_HOME=\(home)).\n" : ""))
        return CommandResult(
            text: "", json: .object([("ok", true), ("task_count", .int(Int64(tasks.count))), ("seconds", .double(seconds))]))
    }
}

extension Commands {
    /// What flow 3 must show: the parent reassessed after its first sub-task (and only then did the
    /// second start), both sub-tasks merged into the parent's branch, and the parent went to
    /// review (not done) when they were done, then merged once.
    func checkModesFlow(_ byBranch: [String: TaskRecord], store: FileTaskStore) -> [String] {
        guard let parent = byBranch["release-notes"], let draft = byBranch["notes-draft"], let polish = byBranch["notes-polish"] else {
            return ["flow 3's tasks are missing"]
        }
        func history(_ task: TaskRecord) -> [HistoryEvent] { (try? store.history(of: task.id, in: task.project)) ?? [] }
        func field(_ event: HistoryEvent, _ key: String) -> String? { event.fields.first { $0.0 == key }?.1.stringValue }
        var problems: [String] = []
        let parentHistory = history(parent)
        guard let turn = parentHistory.first(where: { field($0, "cause")?.hasPrefix("reassess after \(draft.id)") == true }) else {
            return ["release-notes had no reassess turn after notes-draft"]
        }
        if let started = history(polish).first(where: { $0.type == "agent.spawned" }), started.timestamp < turn.timestamp {
            problems.append("notes-polish started before release-notes reassessed")
        }
        if !parentHistory.contains(where: {
            field($0, "from") == "delegated" && field($0, "to") == "reviewing" && field($0, "by") == "engine"
        }) {
            problems.append("release-notes did not go to review when its sub-tasks were done")
        }
        for child in [draft, polish]
        where !history(child).contains(where: { $0.type == "task.merged" && field($0, "into") == parent.branch }) {
            problems.append("\(child.branch) was not merged into \(parent.branch)")
        }
        return problems
    }
}

/// The demo's scratch folder.
enum DemoWorkspace {
    static func create() throws -> String {
        try FileSystem.makeTemporaryDirectory(prefix: "/tmp/orange-demo-")
    }
}

/// Turns the engine's JSON events into timeline lines.
enum DemoTimeline {
    static func format(_ event: JSONValue, tasks: [TaskRecord]) -> String? {
        func branch(_ id: JSONValue?) -> String {
            guard let text = id?.stringValue else { return "?" }
            return tasks.first { $0.id.rawValue == text }?.branch ?? text
        }
        switch event["event"]?.stringValue {
        case "status":
            let latency = event["latency_ms"].flatMap { value -> String? in
                if case .double(let ms) = value { return String(format1(ms)) + " ms after the edit" }
                return nil
            }
            return "\(event["branch"]?.stringValue ?? "?")  \(event["from"]?.stringValue ?? "?") → \(event["to"]?.stringValue ?? "?")"
                + (latency.map { "  (\($0))" } ?? "")
        case "ready":
            return "\(event["branch"]?.stringValue ?? "?")  is ready  (\(event["cause"]?.stringValue ?? ""))"
        case "engine":
            return
                "  engine: \(branch(event["id"])) \(event["from"]?.stringValue ?? "") → \(event["to"]?.stringValue ?? "")  (\(event["cause"]?.stringValue ?? ""))"
        case "diagnostic", "error":
            return "  ! \(event["message"]?.stringValue ?? "")"
        default:
            return nil
        }
    }

    static func format1(_ value: Double) -> String {
        let tenths = Int((value * 10).rounded())
        return "\(tenths / 10).\(tenths % 10)"
    }
}
