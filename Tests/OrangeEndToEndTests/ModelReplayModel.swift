import OrangeCore
import OrangeSystem
import OrangeTestSupport
import Testing

/// The replay's agent. At its start and end it appends a line with its pid (the pane's) to
/// `<log>/<task id>`, so the test knows when a live agent has finished what it does on its own. A task whose description starts
/// with `work` commits a file and reports for review (as real agents do, through plain `orange`
/// from its PATH); any other only waits. Failures are ignored: the test may have moved the task
/// on meanwhile, and an agent that exited on its own would be a death the test did not cause.
let replayAgent = #"""
    #!/bin/sh
    task_file="$1"
    log="$2"
    id="$ORANGE_TASK_ID"
    echo "start $$" >> "$log/$id"
    if grep -q '^description: "*work' "$task_file"; then
        echo "work of $id $$" > "work-$id.txt"
        git add "work-$id.txt" && git -c user.name=agent -c user.email=agent@orange.invalid commit -q -m "work for $id" >/dev/null 2>&1
        orange task update --status reviewing >/dev/null 2>&1
    fi
    echo "done $$" >> "$log/$id"
    exec sleep 3600
    """#

/// What the replay expects of each task. Statuses the test itself sets are certain; moves orange
/// or an agent makes on their own are checked against `history.jsonl`, line by line, and only
/// the moves listed in `ReplayModel.engineMoves` and the work agents' reports are accepted.
struct ReplayTask {
    enum Tag: String { case work, sleep }
    var id: String
    var branch: String
    var tag: Tag
    var parent: String?
    var children: [String] = []
    var blockers: [String]
    var status = "pending"
    var description: String
    /// How many spawns the task may have had: one per time it became pending (create, reopen,
    /// a rollback), plus one per agent the test killed (the engine's one automatic respawn).
    var spawnsAllowed = 1
    /// Agents the test killed while the task was working or in clarification.
    var kills = 0
    /// Status changes the test made, in order (`from>to by actor`), not yet found in history.
    var expected: [String] = []
    /// `status.changed` lines already checked.
    var linesSeen = 0
    var deleted = false
}

struct ReplayModel {
    var tasks: [String: ReplayTask] = [:]
    var order: [String] = []
    let project: String
    let poolSize: Int

    var live: [ReplayTask] { order.compactMap { tasks[$0] }.filter { !$0.deleted } }

    func live(in statuses: Set<String>) -> [ReplayTask] { live.filter { statuses.contains($0.status) } }

    mutating func add(_ task: ReplayTask) {
        tasks[task.id] = task
        order.append(task.id)
        if let parent = task.parent { tasks[parent]?.children.append(task.id) }
    }

    /// The test moved `id` itself (its command succeeded).
    mutating func moved(_ id: String, to status: String, by actor: String) {
        guard var task = tasks[id] else { return }
        if task.status != status {
            task.expected.append("\(task.status)>\(status) by \(actor)")
            if status == "pending" { task.spawnsAllowed += 1 }
            task.status = status
        }
        tasks[id] = task
    }

    /// Moves orange makes by itself, and when each is justified (`task` as the model had it).
    static func engineMove(_ move: String, _ task: ReplayTask, crashes: Int, done: (String) -> Bool) -> Bool {
        switch move {
        case "pending>working": return true  // a spawn; counted separately
        case "working>pending": return true  // a spawn rolled back; counted
        case "delegated>done":
            return !task.children.isEmpty && task.children.allSatisfy(done)
        case "working>stuck", "clarification>stuck": return crashes >= 2 && task.kills >= 2
        case "clarification>working": return task.kills >= 1  // a respawn after the test killed it
        default: return false
        }
    }
}

/// One task as `task list --json` shows it, with its history.
struct ObservedTask {
    var json: JSONValue
    var statusLines: [(from: String, to: String, by: String)]
    var spawned: Int
    var spawnFailures: [String]

    var id: String { json["id"]?.stringValue ?? "?" }
    var status: String { json["status"]?.stringValue ?? "?" }
    var workspace: String? { json["workspace"]?.stringValue }
    var session: String? { json["tmux_session"]?.stringValue }
    var crashes: Int { Int(json["agent_crashes"]?.intValue ?? 0) }
}

extension OrangeHarness {
    func observe(project: String) throws -> (tasks: [String: ObservedTask], problems: [String]) {
        var problems: [String] = []
        let list = try orange(["task", "list", "--json"])
        if list.exitCode != 0 || !list.stderr.isEmpty { problems.append("task list: exit \(list.exitCode): \(list.stderr)") }
        var observed: [String: ObservedTask] = [:]
        for task in (try JSONValue.parse(list.stdout))["tasks"]?.arrayValue ?? [] {
            let id = task["id"]?.stringValue ?? "?"
            let text = (try? FileSystem.readText("\(home)/tasks/\(project)/\(id)/history.jsonl")) ?? ""
            var lines: [(String, String, String)] = []
            var spawned = 0
            var failures: [String] = []
            for raw in text.split(separator: "\n") {
                guard let line = try? JSONValue.parse(String(raw)) else {
                    problems.append("\(id): history line does not parse: \(raw)")
                    continue
                }
                switch line["type"]?.stringValue {
                case "status.changed":
                    lines.append((line["from"]?.stringValue ?? "?", line["to"]?.stringValue ?? "?", line["by"]?.stringValue ?? "?"))
                case "agent.spawned": spawned += 1
                case "spawn.failed": failures.append(line["error"]?.stringValue ?? "?")
                default: break
                }
            }
            observed[id] = ObservedTask(json: task, statusLines: lines, spawned: spawned, spawnFailures: failures)
        }
        return (observed, problems)
    }

    /// Live tmux sessions by the task id their name ends with (`<project>/<branch>+<id>`).
    func sessionsByTask() -> [String: [String]] {
        var byTask: [String: [String]] = [:]
        for session in tmuxSessions() {
            let id = session.split(separator: "+").last.map(String.init) ?? session
            byTask[id, default: []].append(session)
        }
        return byTask
    }
}

extension OrangeHarness {
    /// Live agents that have not finished what they do on their own yet: a live pane whose pid
    /// has not written its `done` line.
    func busyAgents(log: String) -> [String] {
        guard let tmuxSocket,
            let panes = try? runner.run(["tmux", "-L", tmuxSocket, "list-panes", "-a", "-F", "#{session_name} #{pane_pid} #{pane_dead}"]),
            panes.exitCode == 0
        else { return [] }
        var busy: [String] = []
        for pane in panes.stdout.split(separator: "\n") {
            let fields = pane.split(separator: " ").map(String.init)
            guard fields.count == 3, fields[2] == "0" else { continue }
            let id = fields[0].split(separator: "+").last.map(String.init) ?? fields[0]
            let lines = ((try? FileSystem.readText(log + "/" + id)) ?? "").split(separator: "\n")
            if !lines.contains(Substring("done " + fields[1])) { busy.append(fields[0]) }
        }
        return busy
    }
}
