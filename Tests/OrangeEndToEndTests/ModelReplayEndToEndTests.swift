import OrangeCore
import OrangeSystem
import OrangeTestSupport
import Testing

/// A seeded random replay of the operations people, agents and crashes make, against the real
/// binary (real git with an origin, real tmux on a private socket), checked after every step
/// against a model of the expected state: no lost update, no double spawn, no shared worktree,
/// complete history (`ModelReplayChecks.swift`).
///
/// `ORANGE_REPLAY_SEED=<n>` replays a seed; `ORANGE_REPLAY_STEPS=<n>` sets the number of steps
/// (200 by default; bench/replay.sh runs thousands).
@Suite(.serialized, .enabled(if: OrangeHarness.hasTmux, "needs tmux"))
struct ModelReplayEndToEndTests {
    @Test func randomOperationsKeepEveryInvariant() throws {
        let environment = ProcessEnvironment.current()
        let seed = environment["ORANGE_REPLAY_SEED"].flatMap { UInt64($0) } ?? UInt64.random(in: 0...UInt64(UInt32.max))
        let steps = environment["ORANGE_REPLAY_STEPS"].flatMap { Int($0) } ?? 200
        print("ModelReplayEndToEndTests seed \(seed), \(steps) steps (replay with ORANGE_REPLAY_SEED=\(seed) ORANGE_REPLAY_STEPS=\(steps))")
        let h = try OrangeHarness(tmux: true)
        defer { h.killTmuxServer() }
        let replay = try ModelReplay(h, seed: seed)
        defer { replay.stopEngine() }
        let clock = SystemClock()
        let started = clock.monotonicNanoseconds()
        for step in 1...steps {
            try replay.step(step)
            let problems = try replay.settleAndCheck()
            if !problems.isEmpty {
                let log = replay.log.suffix(60).joined(separator: "\n")
                Issue.record(
                    "seed \(seed) step \(step) (replay with ORANGE_REPLAY_SEED=\(seed) ORANGE_REPLAY_STEPS=\(step)):\n\(problems.joined(separator: "\n"))\ntasks named:\n\(try replay.describe(problems))\nsteps:\n\(log)\nengine log (tail):\n\(h.watchLog.suffix(3000))"
                )
                return
            }
        }
        let seconds = Double(clock.monotonicNanoseconds() - started) / 1e9
        print("ModelReplayEndToEndTests seed \(seed): \(steps) steps in \(Int(seconds)) s; \(replay.summary)")
    }
}

/// The operations, and how often each is picked. `handStatus` is a person (or an agent's tool)
/// editing the status in TASK.md directly; `ORANGE_REPLAY_HAND_STATUS=0` leaves it out.
enum ReplayOperation: String, CaseIterable {
    case create, delegate, agentUpdate, humanUpdate, handEdit, handStatus, agentExit, approve, merge, cancel, delete, engine

    var weight: Int {
        switch self {
        case .create: 16
        case .delegate: 7
        case .agentUpdate: 9
        case .humanUpdate: 8
        case .handEdit: 10
        case .handStatus: ProcessEnvironment.current()["ORANGE_REPLAY_HAND_STATUS"] == "0" ? 0 : 4
        case .agentExit: 5
        case .approve: 10
        case .merge: 10
        case .cancel: 6
        case .delete: 6
        case .engine: 6
        }
    }
}

/// How a person's editor saves TASK.md, and which path it opens. Editing through the workspace's
/// `TASK.md` link is one more case: its `path` is `<workspace>/TASK.md` (nil for a task without a
/// workspace: the operation then does not apply), and it saves like `renameOverInTaskFolder`.
enum HandEditor: CaseIterable {
    case renameOverInTaskFolder, inPlaceInTaskFolder

    /// The file this editor opens for `task`, or nil when it cannot edit that task now.
    func path(_ h: OrangeHarness, project: String, task: String) throws -> String? {
        switch self {
        case .renameOverInTaskFolder, .inPlaceInTaskFolder: "\(h.home)/tasks/\(project)/\(task)/TASK.md"
        }
    }

    func save(_ h: OrangeHarness, _ text: String, to path: String) throws {
        switch self {
        case .renameOverInTaskFolder:
            let temporary = path + ".edit-tmp"
            try AtomicFile.write(text, to: temporary)
            try FileSystem.rename(temporary, to: path)
        case .inPlaceInTaskFolder:
            // Truncate, then write, as `cat > file` does: no rename, no lock.
            try h.runner.check(["sh", "-c", #"cat > "$1""#, "_", path], input: text)
        }
    }
}

final class ModelReplay {
    let h: OrangeHarness
    var random: SeededRandom
    var model: ReplayModel
    var log: [String] = []
    let repo: String
    let agentLog: String
    var enginePID: String?
    var counter = 0
    var counts: [ReplayOperation: Int] = [:]
    var engineKills = 0
    /// Commands of this step that failed although the model said they would succeed.
    var failures: [String] = []

    init(_ h: OrangeHarness, seed: UInt64) throws {
        self.h = h
        random = SeededRandom(seed: seed)
        model = ReplayModel(project: "replay", poolSize: 4)
        agentLog = h.directory.path + "/agents"
        try FileSystem.makeDirectories(agentLog)
        try FileSystem.makeDirectories(h.home)
        try AtomicFile.write(replayAgent, to: h.directory.path + "/replay-agent.sh", mode: 0o755)
        try AtomicFile.write(
            #"{"harnesses": {"replay": {"command": ["sh", "\#(h.directory.path)/replay-agent.sh", "{task_file}", "\#(agentLog)"]}}}"#,
            to: h.home + "/config.json")
        repo = try h.makeProject("replay", poolSize: 4)
        try startEngine()
    }

    var summary: String {
        let ops = ReplayOperation.allCases.compactMap { op in counts[op].map { "\(op.rawValue) \($0)" } }.joined(separator: ", ")
        let statuses = Dictionary(grouping: model.live, by: \.status).map { "\($0.key) \($0.value.count)" }.sorted().joined(separator: ", ")
        return "\(ops); engine kills \(engineKills); \(model.order.count) tasks made, now: \(statuses)"
    }

    func pick<T>(_ items: [T]) -> T? { items.isEmpty ? nil : items[Int(random.next() % UInt64(items.count))] }
    func chance(_ percent: UInt64) -> Bool { random.next() % 100 < percent }
    func note(_ text: String) { log.append(text) }

    /// One step: a weighted random operation that applies to the current state.
    func step(_ number: Int) throws {
        let total = ReplayOperation.allCases.map(\.weight).reduce(0, +)
        for _ in 0..<20 {
            var roll = Int(random.next() % UInt64(total))
            let operation = ReplayOperation.allCases.first {
                roll -= $0.weight; return roll < 0
            }!
            if try run(operation, step: number) {
                counts[operation, default: 0] += 1
                return
            }
        }
        note("step \(number): nothing applied")
    }

    /// Runs `operation` if it applies; false when there is nothing to apply it to.
    func run(_ operation: ReplayOperation, step: Int) throws -> Bool {
        let prefix = "step \(step): "
        switch operation {
        case .create: return try create(prefix)
        case .delegate: return try delegate(prefix)
        case .agentUpdate: return try agentUpdate(prefix)
        case .humanUpdate: return try humanUpdate(prefix)
        case .handEdit: return try handEdit(prefix)
        case .handStatus: return try handStatus(prefix)
        case .agentExit: return try agentExit(prefix)
        case .approve: return try humanCommand(prefix, ["approve"], from: ["reviewing"], to: "reviewed")
        case .merge: return try humanCommand(prefix, ["merge"], from: ["reviewed"], to: "done")
        case .cancel:
            return try humanCommand(
                prefix, ["cancel", "--yes"], from: ["pending", "working", "clarification", "stuck", "delegated", "reviewing", "reviewed"],
                to: "cancelled")
        case .delete: return try delete(prefix)
        case .engine: return try engine(prefix, step: step)
        }
    }

    // MARK: operations

    func newTask(_ prefix: String, parent: String?, blockers: [String], in cwd: String, environment: [String: String] = [:]) throws
        -> String?
    {
        counter += 1
        let tag: ReplayTask.Tag = chance(50) ? .work : .sleep
        let branch = "r\(counter)"
        let description = "\(tag.rawValue) c\(counter)"
        var args = ["task", "create", branch, description, "--json"]
        if environment.isEmpty { args += ["--harness", "replay"] }
        if let parent, environment.isEmpty { args += ["--parent", parent] }
        for blocker in blockers { args += ["--blocked-by", blocker] }
        let result = try h.orange(args, in: cwd, extraEnvironment: environment)
        note(
            prefix
                + "create \(branch) \(tag) parent \(parent ?? "-") blocked-by \(blockers)\(environment.isEmpty ? "" : " (as the agent of \(parent ?? "?"))") → exit \(result.exitCode) \(result.stderr)"
        )
        guard result.exitCode == 0, let id = try JSONValue.parse(result.stdout)["task"]?["id"]?.stringValue else {
            // A blocker that waits on the new task's parent would close a loop: refused, and
            // nothing may be left of the task (the next check compares every task).
            if !(result.exitCode == 1 && (result.stdout + result.stderr).contains("cycle: ")) {
                failures.append("\(prefix)create failed: \(result.stdout) \(result.stderr)")
            }
            return nil
        }
        note("  = \(id)")
        model.add(ReplayTask(id: id, branch: branch, tag: tag, parent: parent, blockers: blockers, description: description))
        return id
    }

    func create(_ prefix: String) throws -> Bool {
        let blockers = chance(40) ? pick(model.live).map { [$0.id] } ?? [] : []
        let parent = chance(25) ? pick(model.live(in: ["pending", "working", "delegated"]))?.id : nil
        _ = try newTask(prefix, parent: parent, blockers: blockers, in: repo)
        return true
    }

    func workspacePath(_ id: String) throws -> String? {
        try h.task(["task", "show", id])["workspace"]?.stringValue.map { h.home + "/workspaces/" + $0 }
    }

    /// As the task's agent: from its workspace, with ORANGE_TASK_ID, 1–3 sub-tasks (each maybe
    /// blocked by the one before), then `task update --status delegated`.
    func delegate(_ prefix: String) throws -> Bool {
        guard let task = pick(model.live(in: ["working"])), let workspace = try workspacePath(task.id) else { return false }
        let environment = ["ORANGE_TASK_ID": task.id]
        var previous: String?
        for _ in 0..<(1 + Int(random.next() % 3)) {
            let blockers = previous.map { chance(50) ? [$0] : [] } ?? []
            previous = try newTask(prefix, parent: task.id, blockers: blockers, in: workspace, environment: environment)
        }
        return try command(
            prefix, ["update", "--status", "delegated"], task: task.id, to: "delegated", by: "agent", in: workspace,
            environment: environment)
    }

    func agentUpdate(_ prefix: String) throws -> Bool {
        let moves = [
            ("working", "clarification"), ("clarification", "working"), ("working", "reviewing"), ("working", "stuck"),
            ("reviewing", "working"),
        ]
        guard let (from, to) = pick(moves), let task = pick(model.live(in: [from])), let workspace = try workspacePath(task.id) else {
            return false
        }
        return try command(
            prefix, ["update", "--status", to], task: task.id, to: to, by: "agent", in: workspace, environment: ["ORANGE_TASK_ID": task.id])
    }

    func humanUpdate(_ prefix: String) throws -> Bool {
        let moves = [
            ("working", "pending"), ("working", "done"), ("pending", "done"), ("failed", "pending"), ("cancelled", "pending"),
            ("reviewing", "working"), ("working", "failed"), ("stuck", "failed"), ("clarification", "failed"), ("reviewed", "reviewing"),
        ]
        guard let (from, to) = pick(moves), let task = pick(model.live(in: [from])) else { return false }
        return try command(prefix, ["update", task.id, "--status", to, "--as", "human"], task: task.id, to: to, by: "human", in: repo)
    }

    func humanCommand(_ prefix: String, _ verb: [String], from: Set<String>, to: String) throws -> Bool {
        guard let task = pick(model.live(in: from)) else { return false }
        return try command(prefix, [verb[0], task.id] + verb.dropFirst(), task: task.id, to: to, by: "human", in: repo)
    }

    /// `orange task <args>`, which must succeed: the model is exact after every settle.
    func command(
        _ prefix: String, _ args: [String], task: String, to: String, by actor: String, in cwd: String, environment: [String: String] = [:]
    ) throws -> Bool {
        let result = try h.orange(["task"] + args, in: cwd, extraEnvironment: environment)
        note(
            prefix
                + "task \(args.joined(separator: " ")) [\(task) \(model.tasks[task]?.status ?? "?") → \(to) by \(actor)] → exit \(result.exitCode) \(result.stderr)"
        )
        if result.exitCode == 0 {
            model.moved(task, to: to, by: actor)
        } else {
            failures.append("\(task): orange task \(args.joined(separator: " ")) failed: \(result.stdout) \(result.stderr)")
        }
        return true
    }

    /// A person edits the description in TASK.md, without orange.
    func handEdit(_ prefix: String) throws -> Bool {
        guard let task = pick(model.live), let editor = pick(HandEditor.allCases),
            let path = try editor.path(h, project: model.project, task: task.id)
        else { return false }
        counter += 1
        let description = "\(task.tag.rawValue) e\(counter)"
        let text = try FileSystem.readText(path)
        guard let old = text.split(separator: "\n").first(where: { $0.hasPrefix("description: ") }) else {
            failures.append("\(task.id): no description line in \(text)")
            return true
        }
        try editor.save(h, text.replacing(old + "\n", with: "description: \(description)\n"), to: path)
        model.tasks[task.id]?.description = description
        note(prefix + "hand edit \(task.id) description → \(description) (\(editor))")
        return true
    }

    /// A person marks a reviewed task done in TASK.md, without orange (as after merging by hand).
    func handStatus(_ prefix: String) throws -> Bool {
        guard let task = pick(model.live(in: ["reviewed"])) else { return false }
        let path = "\(h.home)/tasks/\(model.project)/\(task.id)/TASK.md"
        try HandEditor.renameOverInTaskFolder.save(
            h, try FileSystem.readText(path).replacing("status: reviewed\n", with: "status: done\n"), to: path)
        model.moved(task.id, to: "done", by: "human")
        note(prefix + "hand edit \(task.id) status reviewed → done")
        return true
    }

    /// The agent's session ends without a report; the next full pass respawns it once, then
    /// hands the task to a person (`stuck`).
    func agentExit(_ prefix: String) throws -> Bool {
        guard let task = pick(model.live(in: ["working", "clarification"])),
            let session = try h.task(["task", "show", task.id])["tmux_session"]?.stringValue
        else { return false }
        let killed = try h.runner.run(["tmux", "-L", h.tmuxSocket!, "kill-session", "-t", "=" + session])
        note(prefix + "kill the agent of \(task.id) (\(task.status), session \(session)) → exit \(killed.exitCode)")
        model.tasks[task.id]?.kills += 1
        if model.tasks[task.id]?.kills == 1 { model.tasks[task.id]?.spawnsAllowed += 1 }
        // The engine finds dead agents at its sweeps (every 0.5 s here): wait for it to answer.
        if enginePID != nil {
            let kills = model.tasks[task.id]!.kills
            _ = try h.waitFor(task.id, "answered as dead (crash \(kills))") { $0["agent_crashes"]?.intValue == Int64(kills) }
        }
        return true
    }

    func delete(_ prefix: String) throws -> Bool {
        guard let task = pick(model.live(in: ["done", "cancelled", "failed"])) else { return false }
        let result = try h.orange(["task", "delete", task.id, "--yes"], in: repo)
        note(prefix + "task delete \(task.id) (\(task.status)) → exit \(result.exitCode) \(result.stderr)")
        if result.exitCode == 0 {
            model.tasks[task.id]?.deleted = true
        } else {
            failures.append("\(task.id): delete failed: \(result.stderr)")
        }
        return true
    }

    /// With the engine running: another operation, then the engine SIGKILLed 0–250 ms later
    /// (while it reacts to it), then mostly restarted. Without: the engine is started.
    func engine(_ prefix: String, step: Int) throws -> Bool {
        guard let pid = enginePID else {
            note(prefix + "start the engine")
            try startEngine()
            return true
        }
        let others = ReplayOperation.allCases.filter { $0 != .engine && $0 != .agentExit && $0.weight > 0 }
        var ran = false
        for _ in 0..<10 where !ran { ran = try run(pick(others)!, step: step) }
        let delay = Int(random.next() % 250)
        try h.killWatch(pid, after: delay)
        enginePID = nil
        engineKills += 1
        let restart = chance(70)
        note(prefix + "SIGKILL the engine after \(delay) ms" + (restart ? ", restart it" : ", leave it stopped"))
        if restart { try startEngine() }
        return true
    }

    // MARK: the engine

    func startEngine() throws {
        let command = ShellQuoting.commandLine([
            "setsid", "sh", "-c", #"cd "$1" && exec "$2" watch --sweep-interval 0.5"#, "_", repo, OrangeHarness.binary,
        ])
        enginePID = try h.runner.check(
            ["sh", "-c", "\(command) >> \(ShellQuoting.quote(h.directory.path + "/watch.log")) 2>&1 & echo $!"], environment: h.environment
        ).stdout.trimmingSpaces()
        try h.waitUntilTheEngineAnswers()
    }

    func stopEngine() {
        if let pid = enginePID { try? h.killWatch(pid, after: 0) }
        enginePID = nil
    }

    // MARK: settling and checking

    /// Each task a problem names: its file's fields that matter and its history, for the report.
    func describe(_ problems: [String]) throws -> String {
        let text = problems.joined(separator: " ")
        var out: [String] = []
        for id in model.order where text.contains(id) {
            let path = "\(h.home)/tasks/\(model.project)/\(id)"
            let file = (try? FileSystem.readText(path + "/TASK.md")) ?? "(no TASK.md)"
            let fields = file.split(separator: "\n").filter { line in
                ["status:", "parent:", "children:", "blocked_by:", "workspace:", "tmux_session:", "agent_crashes:", "last_error:"].contains
                { line.hasPrefix($0) }
            }
            let history = ((try? FileSystem.readText(path + "/history.jsonl")) ?? "").split(separator: "\n")
            out.append(
                "\(id) (model: \(model.tasks[id]?.status ?? "?"), deleted \(model.tasks[id]?.deleted ?? false)): "
                    + fields.joined(separator: "; ")
                    + "\n    " + history.joined(separator: "\n    "))
        }
        return out.joined(separator: "\n")
    }

    /// Brings the system to rest (the engine has applied everything, or a full pass ran; every
    /// live agent has done what it does by itself), then checks every invariant.
    func settleAndCheck() throws -> [String] {
        var problems = failures
        failures = []
        for _ in 0..<10 {
            if enginePID != nil {
                // The engine answers after the spawns its last batch started; on a loaded CI machine
                // a few worktrees and sessions took over 20 s. This checks state, not speed.
                let sync = try h.orange(["watch", "sync", "--timeout", "60"])
                if sync.exitCode != 0 { problems.append("watch sync: \(sync.stderr)") }
            } else {
                let once = try h.orange(["watch", "--once"], in: repo)
                if once.exitCode != 0 { problems.append("watch --once: \(once.stderr)") }
            }
            guard !h.busyAgents(log: agentLog).isEmpty else { break }
            let clock = SystemClock()
            let deadline = clock.monotonicNanoseconds() + 20_000_000_000
            while !h.busyAgents(log: agentLog).isEmpty {
                if clock.monotonicNanoseconds() > deadline {
                    problems.append("agents still busy after 20 s: \(h.busyAgents(log: agentLog))")
                    return problems
                }
                clock.sleep(milliseconds: 20)  // a poll interval, not a wait for the outcome
            }
        }
        let (observed, listProblems) = try h.observe(project: model.project)
        problems += listProblems
        problems += model.checkTasks(observed)
        let pool = (try? JSONValue.parse(FileSystem.readText(h.home + "/workspaces/.pool.json")))?["workspaces"]?.objectValue ?? []
        problems += model.checkRules(observed, pool: pool, sessions: h.sessionsByTask())
        return problems
    }
}
