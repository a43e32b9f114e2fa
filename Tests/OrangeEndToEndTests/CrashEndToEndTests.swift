import OrangeCore
import OrangeSystem
import OrangeTestSupport
import Testing

/// Crash loops: orange killed with SIGKILL at random moments, then recovered, then checked.
///
/// `ORANGE_STRESS=1` runs 120 iterations instead of 20 (the engine test: 100 instead of 12); `ORANGE_CRASH_SEED=<n>` replays a seed.
enum CrashLoop {
    static var stress: Bool { ProcessEnvironment.current()["ORANGE_STRESS"] == "1" }
    static var iterations: Int { stress ? 120 : 20 }
    static var seed: UInt64 {
        if let text = ProcessEnvironment.current()["ORANGE_CRASH_SEED"], let value = UInt64(text) { return value }
        return UInt64.random(in: 0...UInt64(UInt32.max))
    }
}

/// An agent that only waits: the tests drive every status change themselves.
let sleepyAgent = "#!/bin/sh\nexec sleep 3600\n"

extension OrangeHarness {
    func installSleepyAgent() throws {
        try FileSystem.makeDirectories(home)
        try AtomicFile.write(sleepyAgent, to: directory.path + "/sleepy.sh", mode: 0o755)
        try AtomicFile.write(
            #"{"harnesses": {"sleepy": {"command": ["sh", "\#(directory.path)/sleepy.sh"]}}}"#,
            to: home + "/config.json")
    }

    /// Runs `orange args…` in its own session (`setsid`) from `cwd`, SIGKILLs it `delayMs`
    /// milliseconds after starting it, then waits until every process it started that is still in
    /// its session (git, a tmux client) has ended, as they would on a real machine before anyone
    /// looks. Zombies do not count: they have ended, only nobody has reaped them yet. Returns whether the kill landed while orange was running.
    /// With `delayMs` nil nothing is sent: the command runs until it ends, or kills itself at an
    /// `ORANGE_CRASH_AT` point.
    func orangeKilled(after delayMs: Int?, _ args: [String], in cwd: String, extraEnvironment: [String] = []) throws -> Bool {
        let command = ShellQuoting.commandLine(
            ["setsid", "sh", "-c", #"cd "$1" && shift && exec "$@""#, "_", cwd, "env"] + extraEnvironment + [Self.binary] + args)
        let kill = delayMs.map { "sleep \(format3(Double($0) / 1000)); kill -KILL $pid 2>/dev/null" } ?? ""
        let script = """
            \(command) >/dev/null 2>&1 &
            pid=$!
            \(kill)
            wait $pid
            echo "rc=$?"
            while ps -o stat= -s $pid | grep -qv '^Z'; do sleep 0.01; done
            """
        let result = try runner.run(["sh", "-c", script], environment: environment, input: nil, timeoutSeconds: 120)
        return result.stdout.contains("rc=137")
    }

    func tmuxSessions() -> [String] {
        guard let tmuxSocket, let result = try? runner.run(["tmux", "-L", tmuxSocket, "list-sessions", "-F", "#{session_name}"]),
            result.exitCode == 0
        else { return [] }
        return result.stdout.split(separator: "\n").map(String.init)
    }

    /// Every invariant a crash must not break, after recovery. `context` names the iteration.
    func checkCrashInvariants(_ context: String) throws {
        let tasks = try tasks(["task", "list"]).arrayValue ?? []
        let byID = Dictionary(tasks.compactMap { task in task["id"]?.stringValue.map { ($0, task) } }, uniquingKeysWith: { a, _ in a })
        // No spawn left half way.
        let markers = try runner.check(["find", home + "/tasks", "-name", ".spawning"]).stdout
        #expect(markers.isEmpty, "\(context): .spawning markers left: \(markers)")
        // Sessions: each one belongs to exactly one task, and no task's session is missing
        // unless the task no longer runs an agent.
        let sessions = tmuxSessions()
        #expect(Set(sessions).count == sessions.count, "\(context): duplicate sessions \(sessions)")
        let recorded = tasks.compactMap { $0["tmux_session"]?.stringValue }
        #expect(Set(recorded).count == recorded.count, "\(context): two tasks record one session: \(recorded)")
        for session in sessions where !recorded.contains(session) {
            let states = tasks.map {
                "\($0["id"]?.stringValue ?? "?") \($0["branch"]?.stringValue ?? "?") \($0["status"]?.stringValue ?? "?") \($0["tmux_session"]?.stringValue ?? "-")"
            }
            Issue.record("\(context): tmux session \(session) belongs to no task; tasks: \(states)")
        }
        for task in tasks where task["status"] == "working" {
            let id = task["id"]?.stringValue ?? "?"
            #expect(task["workspace"]?.stringValue != nil, "\(context): \(id) is working without a workspace")
            let session = task["tmux_session"]?.stringValue
            #expect(
                session.map(sessions.contains) == true, "\(context): \(id) is working but its session \(session ?? "nil") is not running")
        }
        // The pool and the tasks agree, both ways.
        let pool = (try? JSONValue.parse(FileSystem.readText(home + "/workspaces/.pool.json")))?["workspaces"]?.objectValue ?? []
        for (slot, binding) in pool where binding["status"] == "bound" {
            let holder = binding["task"]?.stringValue ?? "?"
            #expect(byID[holder]?["workspace"]?.stringValue == slot, "\(context): pool binds \(slot) to \(holder), which does not hold it")
        }
        for task in tasks {
            guard let workspace = task["workspace"]?.stringValue else { continue }
            let binding = pool.first { $0.0 == workspace }?.1
            #expect(
                binding?["task"] == task["id"],
                "\(context): \(task["id"]?.stringValue ?? "?") holds \(workspace), which the pool does not bind to it")
        }
        // Every completion that was due is applied.
        for task in tasks where task["status"] == "delegated" {
            let children = task["children"]?.arrayValue?.compactMap(\.stringValue) ?? []
            if !children.isEmpty, children.allSatisfy({ byID[$0]?["status"] == "done" }) {
                Issue.record("\(context): \(task["id"]?.stringValue ?? "?") is delegated and all its children are done")
            }
        }
        // Every file parses, nothing is left over.
        let doctor = try orange(["doctor", "--json"])
        #expect(doctor.exitCode == 0, "\(context): doctor: \(doctor.stdout)")
    }

    /// The recovery a person (or cron) runs after a crash.
    func recover(in repo: String) throws {
        let once = try orange(["watch", "--once"], in: repo)
        #expect(once.exitCode == 0, "watch --once: \(once.stderr)")
        _ = try orange(["doctor", "--fix"], in: repo)
    }
}

/// `0.007`: seconds with three decimals, for `sleep`.
private func format3(_ seconds: Double) -> String {
    let millis = Int((seconds * 1000).rounded())
    let fraction = String(millis % 1000)
    return "\(millis / 1000)." + String(repeating: "0", count: 3 - fraction.count) + fraction
}

@Suite(.serialized, .enabled(if: OrangeHarness.hasTmux, "needs tmux"))
struct CrashEndToEndTests {
    /// Real commands killed at random moments against a real project with origin and a private
    /// tmux server; after each kill, `watch --once` and `doctor --fix`, then every invariant.
    @Test func commandsKilledAtRandomMomentsLeaveAConsistentState() throws {
        let seed = CrashLoop.seed
        print("CrashEndToEndTests.commandsKilledAtRandomMomentsLeaveAConsistentState seed \(seed) (replay with ORANGE_CRASH_SEED=\(seed))")
        var random = SeededRandom(seed: seed)
        let h = try OrangeHarness(tmux: true)
        defer { h.killTmuxServer() }
        try h.installSleepyAgent()
        let repo = try h.makeProject("crash", poolSize: 3)
        func create(_ name: String, _ extra: [String] = []) throws -> String {
            try #require(try h.task(["task", "create", name, "crash test", "--harness", "sleepy"] + extra, in: repo)["id"]?.stringValue)
        }
        func workspacePath(_ id: String) throws -> String {
            h.home + "/workspaces/" + (try #require(try h.task(["task", "show", id])["workspace"]?.stringValue))
        }
        let operations = ["spawn", "create", "delegate", "complete", "merge", "cancel"]
        var killed = 0
        for iteration in 0..<CrashLoop.iterations {
            let operation = operations[Int(random.next() % UInt64(operations.count))]
            // Most commands take 30 to 300 ms in a debug build; the delay covers that span.
            let delay = Int(random.next() % 250)
            let name = "i\(iteration)"
            let context = "seed \(seed) iteration \(iteration) \(operation) killed after \(delay) ms"
            var followUp: (() throws -> Void)?
            let wasKilled: Bool
            switch operation {
            case "spawn":
                let task = try create(name, ["--no-spawn"])
                wasKilled = try h.orangeKilled(after: delay, ["task", "spawn", task], in: repo)
            case "create":
                wasKilled = try h.orangeKilled(after: delay, ["task", "create", name, "created", "--harness", "sleepy"], in: repo)
            case "delegate":
                // The agent delegates after its two sub-tasks are done: one command delegates,
                // auto-completes, frees the workspace and ends the session.
                let parent = try create(name)
                for child in ["a", "b"] {
                    let id = try create(name + child, ["--parent", parent, "--no-spawn"])
                    _ = try h.json(["task", "update", id, "--status", "done", "--as", "human"])
                }
                wasKilled = try h.orangeKilled(
                    after: delay, ["task", "update", "--status", "delegated"], in: try workspacePath(parent),
                    extraEnvironment: ["ORANGE_TASK_ID=\(parent)"])
            case "complete":
                // The last child finishing completes its delegated parent.
                let parent = try create(name)
                let child = try create(name + "a", ["--parent", parent, "--no-spawn"])
                _ = try h.json(["task", "update", parent, "--status", "delegated", "--as", "agent"])
                #expect(try h.status(child) == "working", "\(context): the child did not start")
                wasKilled = try h.orangeKilled(after: delay, ["task", "update", child, "--status", "done", "--as", "human"], in: repo)
            case "merge":
                let task = try create(name)
                let workspace = try workspacePath(task)
                try AtomicFile.write("work of \(task)\n", to: workspace + "/work-\(task).txt")
                try h.runner.check(["git", "-C", workspace, "add", "work-\(task).txt"])
                try h.runner.check(["git", "-C", workspace, "commit", "-q", "-m", "work for \(task)"], environment: h.environment)
                _ = try h.json(["task", "update", task, "--status", "reviewing", "--as", "agent"])
                _ = try h.task(["task", "approve", task])
                wasKilled = try h.orangeKilled(after: delay, ["task", "merge", task], in: repo)
                followUp = {
                    // A merge cut short can be run again and lands once.
                    if try h.status(task) == "reviewed" { _ = try h.json(["task", "merge", task]) }
                    #expect(try h.status(task) == "done", "\(context): the merge was not finished")
                    let log = try h.runner.check(["git", "-C", h.directory.path + "/crash-origin.git", "log", "--format=%s", "main"]).stdout
                    #expect(log.split(separator: "\n").filter { $0 == "work for \(task)" }.count == 1, "\(context): \(log)")
                }
            default:
                let task = try create(name)
                wasKilled = try h.orangeKilled(after: delay, ["task", "cancel", task, "--yes"], in: repo)
            }
            if wasKilled { killed += 1 }
            try h.recover(in: repo)
            try h.checkCrashInvariants(context)
            try followUp?()
            // Put everything still in play aside, so the next iteration has a free pool.
            for task in try h.tasks(["task", "list"]).arrayValue ?? [] {
                guard let id = task["id"]?.stringValue, let status = task["status"]?.stringValue,
                    !["done", "cancelled", "failed"].contains(status)
                else { continue }
                let cancel = try h.orange(["task", "cancel", id, "--yes", "--force"])
                #expect(cancel.exitCode == 0, "\(context): cancel \(id): \(cancel.stdout) \(cancel.stderr)")
            }
            try h.checkCrashInvariants(context + " (after clean-up)")
        }
        print("CrashEndToEndTests: \(killed) of \(CrashLoop.iterations) commands were killed while running")
        #expect(killed > 0, "no kill landed while a command ran; the delays are too long")
    }
}

extension OrangeHarness {
    /// Starts `orange watch` in its own session (`setsid`) and waits until it answers `watch sync`.
    func startWatchInOwnSession(in cwd: String) throws -> String {
        let command = ShellQuoting.commandLine([
            "setsid", "sh", "-c", #"cd "$1" && exec "$2" watch --sweep-interval 2"#, "_", cwd, Self.binary,
        ])
        let pid = try runner.check(
            ["sh", "-c", "\(command) >> \(ShellQuoting.quote(directory.path + "/watch.log")) 2>&1 & echo $!"], environment: environment
        ).stdout.trimmingSpaces()
        try waitUntilTheEngineAnswers()
        return pid
    }

    /// SIGKILLs the engine `delayMs` after now, then waits until it and every process still in its
    /// session (git, a tmux client) are gone.
    func killWatch(_ pid: String, after delayMs: Int) throws {
        let delay = String(Double(delayMs) / 1000)
        let script = """
            sleep \(delay); kill -KILL \(pid)
            while ps -o stat= -s \(pid) | grep -qv '^Z' || ps -o stat= -p \(pid) | grep -qv '^Z'; do sleep 0.01; done
            """
        let result = try runner.run(["sh", "-c", script], environment: environment, input: nil, timeoutSeconds: 60)
        #expect(result.exitCode == 0, "the killed engine did not end: \(result.stdout)")
        // The kernel frees the engine's claim with its last descriptor; nothing may hold it on.
        let clock = SystemClock()
        let deadline = clock.monotonicNanoseconds() + 10_000_000_000
        while let held = try SingleInstanceClaim.holder(of: DataDirectory(home: home).engineClaimNames()) {
            if clock.monotonicNanoseconds() > deadline {
                Issue.record("the killed engine's claim stays held by \(held)")
                break
            }
            _ = try runner.run(["sleep", "0.01"])
        }
    }
}

/// The engine killed at random moments and restarted. It was intermittent until the engine
/// lock waited out `watch sync`'s probe and doctor counted zombies as gone (docs/reliability.md).
@Suite(.serialized, .enabled(if: OrangeHarness.hasTmux, "needs tmux"))
struct EngineCrashEndToEndTests {
    /// `orange watch` SIGKILLed at a random moment after a blocker is marked done by hand (so
    /// while it debounces, reconciles and spawns the dependents), then restarted: every ready
    /// task ends up with exactly one agent, and every invariant of the CLI crash test holds.
    @Test func theEngineKilledWhileSpawningRecoversAndSpawnsEachReadyTaskOnce() throws {
        let seed = CrashLoop.seed
        print("EngineCrashEndToEndTests seed \(seed) (replay with ORANGE_CRASH_SEED=\(seed))")
        var random = SeededRandom(seed: seed)
        let h = try OrangeHarness(tmux: true)
        defer { h.killTmuxServer() }
        try h.installSleepyAgent()
        let repo = try h.makeProject("engine", poolSize: 3)
        let iterations = CrashLoop.stress ? 100 : 12
        for iteration in 0..<iterations {
            let delay = Int(random.next() % 400)
            let context = "seed \(seed) iteration \(iteration) engine killed after \(delay) ms"
            func create(_ name: String, _ extra: [String]) throws -> String {
                try #require(
                    try h.task(["task", "create", name, "engine crash", "--harness", "sleepy", "--no-spawn"] + extra, in: repo)["id"]?
                        .stringValue)
            }
            let blocker = try create("b\(iteration)", ["--status", "reviewing"])
            let ready = try (0..<2).map { try create("d\(iteration)-\($0)", ["--blocked-by", blocker]) }
            let pid = try h.startWatchInOwnSession(in: repo)
            try h.renameOverSave(blocker, project: "engine") { $0.replacing("status: reviewing\n", with: "status: done\n") }
            try h.killWatch(pid, after: delay)

            let restarted = try h.startWatchInOwnSession(in: repo)
            for id in ready {
                _ = try h.waitFor(id, "spawned after the restart (\(context))") { task in
                    task["status"] == "working" && task["tmux_session"]?.stringValue.map(h.tmuxSessions().contains) == true
                }
            }
            if ProcessEnvironment.current()["ORANGE_CRASH_DEBUG"] == "1" { print("WATCHLOG \(context)\n\(h.watchLog)") }
            try h.killWatch(restarted, after: 0)  // a kill at a quiet moment (SIGTERM takes up to a sweep interval)
            // A write cut short leaves its temporary file (TASK.md itself untouched); the next
            // engine start removes it in the background, so it may still be there. Nothing else
            // may be wrong.
            let findings = try JSONValue.parse(try h.orange(["doctor", "--json"]).stdout)["problems"]?.arrayValue ?? []
            let unexpected = findings.filter { $0["kind"] != "stale_temporary_file" }
            #expect(unexpected.isEmpty, "\(context): \(unexpected)")
            _ = try h.orange(["doctor", "--fix"], in: repo)
            try h.checkCrashInvariants(context)
            for id in ready {
                let session = try h.task(["task", "show", id])["tmux_session"]?.stringValue
                #expect(h.tmuxSessions().filter { $0 == session }.count == 1, "\(context): \(id) has no single agent")
                let cancel = try h.orange(["task", "cancel", id, "--yes", "--force"])
                #expect(cancel.exitCode == 0, "\(context): \(cancel.stderr)")
            }
            try h.checkCrashInvariants(context + " (after clean-up)")
        }
    }
}
