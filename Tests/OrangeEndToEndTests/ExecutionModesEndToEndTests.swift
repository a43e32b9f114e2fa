import OrangeCore
import OrangeSystem
import OrangeTestSupport
import Testing

/// A planning agent for the execution modes: a task whose body says `plan` splits itself into
/// two children and delegates; given a reassess turn (its prompt says so), it writes the prompt
/// down, adds one more child on its first turn, and delegates again; any other task commits a
/// file and asks for review. Plain `orange` from its PATH, as a real agent.
let planningAgent = #"""
    #!/bin/sh
    set -e
    task_file="$1"; prompt="$2"; log="$3"
    id="$ORANGE_TASK_ID"
    new_id() { sed -n 's/^    "id": "\([A-Za-z0-9]*\)",$/\1/p' | head -n 1; }
    case "$prompt" in
    *"reassess the plan"*)
        n=$(ls "$log" | grep -c "^reassess-$id-" || true)
        printf '%s' "$prompt" > "$log/.reassess-$id-$n"
        mv "$log/.reassess-$id-$n" "$log/reassess-$id-$n"
        if [ "$n" = 0 ]; then orange task create "$id-x" "added while reassessing" > /dev/null; fi
        orange task update --status delegated > /dev/null
        exit 0 ;;
    esac
    if grep -q '^plan$' "$task_file"; then
        orange task create "$id-a" "first part" > /dev/null
        orange task create "$id-b" "second part" > /dev/null
        orange task update --status delegated > /dev/null
        exit 0
    fi
    echo "work of $id" > "work-$id.txt"
    git add "work-$id.txt"
    git -c user.name=agent -c user.email=agent@orange.invalid commit -q -m "work for $id"
    orange task update --status reviewing > /dev/null
    """#

extension OrangeHarness {
    /// Installs `planningAgent` as harness `planner`; its log folder is returned.
    func installPlanningAgent() throws -> String {
        let log = directory.path + "/planner-log"
        try FileSystem.makeDirectories(log)
        try FileSystem.makeDirectories(home)
        try AtomicFile.write(planningAgent, to: directory.path + "/planner.sh", mode: 0o755)
        try AtomicFile.write(
            #"{"harnesses": {"planner": {"command": ["sh", "\#(directory.path)/planner.sh", "{task_file}", "{prompt}", "\#(log)"]}}}"#,
            to: home + "/config.json")
        return log
    }

    /// Every task of the project, by id.
    func tasksByID() throws -> [String: JSONValue] {
        let tasks = try tasks(["task", "list", "--all"]).arrayValue ?? []
        return Dictionary(tasks.compactMap { t in t["id"]?.stringValue.map { ($0, t) } }, uniquingKeysWith: { a, _ in a })
    }

    /// Approves and merges a task waiting for review.
    func approveAndMerge(_ id: String) throws {
        _ = try task(["task", "approve", id])
        _ = try json(["task", "merge", id])
    }
}

@Suite(.serialized, .enabled(if: OrangeHarness.hasTmux, "needs tmux"))
struct ExecutionModesEndToEndTests {
    /// A project in sequential mode starts its ready tasks one at a time, oldest first, and the
    /// next only when the one before is done; switching back to parallel starts the rest at once
    /// without stopping the running agent.
    @Test func aSequentialProjectRunsOneTaskAtATimeAndASwitchToParallelStartsTheRest() throws {
        let h = try OrangeHarness(tmux: true)
        defer { h.killTmuxServer() }
        try h.installSleepyAgent()
        let repo = try h.makeProject("seq", poolSize: 3)
        let updated = try #require(try h.json(["project", "update", "--execution", "sequential"], in: repo)["project"])
        #expect(updated["execution"] == "sequential" && updated["branches"] == "flat", "\(updated)")
        let a = try #require(try h.task(["task", "create", "a", "first", "--harness", "sleepy"], in: repo)["id"]?.stringValue)
        let b = try #require(try h.task(["task", "create", "b", "second", "--harness", "sleepy"], in: repo)["id"]?.stringValue)
        let c = try #require(try h.task(["task", "create", "c", "third", "--harness", "sleepy"], in: repo)["id"]?.stringValue)
        #expect(try [a, b, c].map(h.status) == ["working", "pending", "pending"])
        let shown = try h.task(["task", "show", b])
        #expect(shown["effective_execution"] == "sequential" && shown["ready"] == .bool(true), "\(shown)")
        #expect(try h.orange(["task", "show", b]).stdout.contains("execution:   sequential (project)"))
        let why = try h.orange(["task", "why", b]).stdout
        #expect(why.contains("project seq runs one task at a time (sequential): \(a) is working"), "\(why)")

        // Reviewing still holds the scope: one task at a time means one until it is done.
        _ = try h.json(["task", "update", a, "--status", "reviewing", "--as", "agent"])
        #expect(try [a, b, c].map(h.status) == ["reviewing", "pending", "pending"])
        _ = try h.json(["task", "update", a, "--status", "cancelled", "--as", "human"])
        #expect(try [b, c].map(h.status) == ["working", "pending"])

        // Parallel again: the rest starts at the next decision; the running agent goes on.
        let session = try h.task(["task", "show", b])["tmux_session"]?.stringValue
        _ = try h.json(["project", "update", "--execution", "parallel"], in: repo)
        #expect(try [b, c].map(h.status) == ["working", "working"])
        #expect(try h.task(["task", "show", b])["tmux_session"]?.stringValue == session)
        #expect(h.tmuxSessions().contains(session ?? "-"))
    }

    /// A sequential parent (the engine running): its children start one at a time, and after
    /// each is merged the parent's agent gets a turn, with a prompt naming the child that
    /// finished, what it changed and the children left. On its first turn it adds a child, which
    /// runs too; only after it delegates again does the next child start. When the last child is
    /// done the parent completes without another turn.
    @Test func aSequentialParentReassessesAfterEachChildAndMayAddOne() throws {
        let h = try OrangeHarness(tmux: true)
        defer { h.killTmuxServer() }
        let log = try h.installPlanningAgent()
        let repo = try h.makeProject("plan", poolSize: 3)
        let pid = try h.startWatch(in: repo)
        defer { h.stopWatch(pid) }
        let parent = try #require(
            try h.task(
                [
                    "task", "create", "parent", "split me", "--harness", "planner", "--context", "plan", "--execution", "sequential",
                ], in: repo)["id"]?.stringValue)
        #expect(try h.orange(["task", "list", "--tree"], in: repo).stdout.contains("[sequential]"))

        let delegated = try h.waitFor(parent, "delegated with its first child working") { task in
            guard task["status"] == "delegated", let first = task["children"]?.arrayValue?.first?.stringValue else { return false }
            return (try? h.status(first)) != "pending"
        }
        let children = (delegated["children"]?.arrayValue ?? []).compactMap(\.stringValue)
        try #require(children.count == 2)
        let (a, b) = (children[0], children[1])
        _ = try h.waitFor(a, "reviewing") { $0["status"] == "reviewing" }
        #expect(try h.status(b) == "pending", "the second child started while the first one runs")
        #expect(try h.task(["task", "show", b])["effective_execution"] == "sequential")

        // The merge of a gives the parent its turn; it adds a child and delegates again.
        try h.approveAndMerge(a)
        let prompt = try #require(try h.waitForFile(log + "/reassess-\(parent)-0"), "the parent never got its reassess turn")
        #expect(prompt.contains("Sub-task \(a)") && prompt.contains("work-\(a).txt"), "\(prompt)")
        #expect(prompt.contains("- \(b) [pending]"), "\(prompt)")
        let history = try h.json(["task", "show", parent])["history"]?.arrayValue ?? []
        #expect(
            history.contains { $0["to"] == "working" && $0["cause"]?.stringValue?.hasPrefix("reassess after \(a)") == true }, "\(history)")

        // b runs only once the parent delegated again; then x (added in the turn) after b.
        _ = try h.waitFor(b, "reviewing") { $0["status"] == "reviewing" }
        let withX = try h.task(["task", "show", parent])
        let x = try #require((withX["children"]?.arrayValue ?? []).compactMap(\.stringValue).first { $0 != a && $0 != b })
        #expect(try h.status(x) == "pending")
        try h.approveAndMerge(b)
        let second = try #require(try h.waitForFile(log + "/reassess-\(parent)-1"), "no turn after the second child")
        #expect(second.contains("Sub-task \(b)") && second.contains("- \(x) [pending]"), "\(second)")
        _ = try h.waitFor(x, "reviewing") { $0["status"] == "reviewing" }
        try h.approveAndMerge(x)
        _ = try h.waitFor(parent, "done") { $0["status"] == "done" }
        #expect(!FileSystem.fileExists(log + "/reassess-\(parent)-2"), "a turn was given with nothing left")
    }

    /// The spawn of a parent's reassess turn killed half way (after it recorded its workspace):
    /// the recovery puts the parent back to `delegated`, not `pending` (which would start it as a
    /// new task), and the turn is given again.
    @Test func aReassessTurnKilledHalfWayIsGivenAgain() throws {
        let h = try OrangeHarness(tmux: true)
        defer { h.killTmuxServer() }
        try h.installSleepyAgent()
        let repo = try h.makeProject("turns", poolSize: 2)
        let parent = try #require(
            try h.task(["task", "create", "p", "parent", "--harness", "sleepy", "--execution", "sequential"], in: repo)["id"]?.stringValue)
        let a = try #require(
            try h.task(["task", "create", "a", "one", "--harness", "sleepy", "--parent", parent], in: repo)["id"]?.stringValue)
        let b = try #require(
            try h.task(["task", "create", "b", "two", "--harness", "sleepy", "--parent", parent], in: repo)["id"]?.stringValue)
        _ = try h.json(["task", "update", parent, "--status", "delegated", "--as", "agent"])
        #expect(try [a, b].map(h.status) == ["working", "pending"])
        #expect(
            try h.orangeKilled(
                after: nil, ["task", "update", a, "--status", "done", "--as", "human"], in: repo,
                extraEnvironment: ["ORANGE_CRASH_AT=spawn.recorded"]), "the turn's spawn was not reached")
        try h.recover(in: repo)
        try h.checkCrashInvariants("reassess turn")
        let shown = try h.json(["task", "show", parent])
        #expect(shown["task"]?["status"] == "working" && shown["task"]?["tmux_session"] != .null, "\(shown)")
        let changes = (shown["history"]?.arrayValue ?? []).filter { $0["type"] == "status.changed" }
        #expect(!changes.contains { $0["to"] == "pending" }, "\(changes)")
        #expect(changes.last?["cause"]?.stringValue?.hasPrefix("reassess after \(a)") == true, "\(changes)")
        #expect(shown["task"]?["reassessed"] == .array([.string(a)]))
        #expect(try h.status(b) == "pending")
    }

    /// Only the engine sees it: a child marked done by a hand edit of its TASK.md gives its
    /// sequential parent the reassess turn at once, and the next child waits.
    @Test func theEngineGivesTheTurnWhenAHandEditMarksAChildDone() throws {
        let h = try OrangeHarness(tmux: true)
        defer { h.killTmuxServer() }
        try h.installSleepyAgent()
        let repo = try h.makeProject("hand", poolSize: 3)
        let parent = try #require(
            try h.task(["task", "create", "p", "parent", "--harness", "sleepy", "--execution", "sequential"], in: repo)["id"]?.stringValue)
        let a = try #require(
            try h.task(["task", "create", "a", "one", "--harness", "sleepy", "--parent", parent], in: repo)["id"]?.stringValue)
        let b = try #require(
            try h.task(["task", "create", "b", "two", "--harness", "sleepy", "--parent", parent], in: repo)["id"]?.stringValue)
        _ = try h.json(["task", "update", parent, "--status", "delegated", "--as", "agent"])
        #expect(try [a, b].map(h.status) == ["working", "pending"])
        let pid = try h.startWatch(in: repo)
        defer { h.stopWatch(pid) }
        try h.renameOverSave(a, project: "hand") { text in
            text.split(separator: "\n", omittingEmptySubsequences: false).map { $0 == "status: working" ? "status: done" : String($0) }
                .joined(separator: "\n")
        }
        _ = try h.waitFor(parent, "in its reassess turn") { $0["status"] == "working" && $0["tmux_session"] != .null }
        let cause =
            (try h.json(["task", "show", parent])["history"]?.arrayValue ?? []).last { $0["type"] == "status.changed" }?["cause"]?
            .stringValue ?? ""
        #expect(cause.hasPrefix("reassess after \(a)"), "\(cause)")
        #expect(try h.status(b) == "pending")
        // Its agent delegates again (here: the test, as the agent): then b starts.
        _ = try h.json(["task", "update", parent, "--status", "delegated", "--as", "agent"])
        _ = try h.waitFor(b, "working") { $0["status"] == "working" }
    }
}
