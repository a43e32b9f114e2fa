import OrangeCore
import OrangeSystem
import OrangeTestSupport
import Testing

@Suite(.serialized, .enabled(if: OrangeHarness.hasTmux, "needs tmux"))
struct CrashPointEndToEndTests {
    /// Each step of a spawn and of a merge, killed on purpose
    /// (`ORANGE_CRASH_AT=<point>`, a test hook): the recovery leaves every invariant true, the task
    /// runs with exactly one agent, and a merge cut short lands once when run again.
    @Test(arguments: [
        "spawn.marked", "workspace.created", "spawn.claimed", "spawn.bound", "spawn.prepared", "spawn.recorded", "spawn.started",
        "spawn.finished",
    ])
    func aSpawnKilledAtEachStepIsRepaired(point: String) throws {
        let h = try OrangeHarness(tmux: true)
        defer { h.killTmuxServer() }
        try h.installSleepyAgent()
        let repo = try h.makeProject("points", poolSize: 2)
        let task = try #require(
            try h.task(["task", "create", "p", "crash point", "--harness", "sleepy", "--no-spawn"], in: repo)["id"]?.stringValue)
        #expect(
            try h.orangeKilled(after: nil, ["task", "spawn", task], in: repo, extraEnvironment: ["ORANGE_CRASH_AT=\(point)"]),
            "\(point) was not reached")
        try h.recover(in: repo)
        try h.checkCrashInvariants(point)
        let after = try h.task(["task", "show", task])
        #expect(after["status"] == "working", "\(point): \(after)")
        #expect(h.tmuxSessions().filter { $0 == after["tmux_session"]?.stringValue }.count == 1, "\(point): \(h.tmuxSessions())")
    }

    @Test(arguments: ["merge.pushed", "merge.recorded"])
    func aMergeKilledAtEachStepIsFinishedByRunningItAgain(point: String) throws {
        let h = try OrangeHarness(tmux: true)
        defer { h.killTmuxServer() }
        try h.installSleepyAgent()
        let repo = try h.makeProject("points", poolSize: 2)
        let task = try #require(try h.task(["task", "create", "m", "crash point", "--harness", "sleepy"], in: repo)["id"]?.stringValue)
        let workspace = h.home + "/workspaces/" + (try #require(try h.task(["task", "show", task])["workspace"]?.stringValue))
        try AtomicFile.write("work\n", to: workspace + "/work.txt")
        try h.runner.check(["git", "-C", workspace, "add", "work.txt"])
        try h.runner.check(["git", "-C", workspace, "commit", "-q", "-m", "work for \(task)"], environment: h.environment)
        _ = try h.json(["task", "update", task, "--status", "reviewing", "--as", "agent"])
        _ = try h.task(["task", "approve", task])
        #expect(
            try h.orangeKilled(after: nil, ["task", "merge", task], in: repo, extraEnvironment: ["ORANGE_CRASH_AT=\(point)"]),
            "\(point) was not reached")
        try h.recover(in: repo)
        try h.checkCrashInvariants(point)
        if try h.status(task) == "reviewed" { _ = try h.json(["task", "merge", task]) }
        #expect(try h.status(task) == "done")
        let log = try h.runner.check(["git", "-C", h.directory.path + "/points-origin.git", "log", "--format=%s", "main"]).stdout
        #expect(log.split(separator: "\n").filter { $0 == "work for \(task)" }.count == 1, "\(point): \(log)")
        try h.checkCrashInvariants(point + " (after the merge)")
    }
}

extension CrashPointEndToEndTests {
    /// An agent delegating after its children are done: its own command auto-completes the task
    /// and ends its own session. Killed just before that end, the session is still named by the
    /// task (no orphan), so a later pass ends it.
    @Test func anAgentKilledBeforeEndingItsOwnSessionLeavesNoOrphan() throws {
        let h = try OrangeHarness(tmux: true)
        defer { h.killTmuxServer() }
        try h.installSleepyAgent()
        let repo = try h.makeProject("points", poolSize: 2)
        let parent = try #require(try h.task(["task", "create", "p", "parent", "--harness", "sleepy"], in: repo)["id"]?.stringValue)
        let workspace = h.home + "/workspaces/" + (try #require(try h.task(["task", "show", parent])["workspace"]?.stringValue))
        let child = try #require(
            try h.task(["task", "create", "c", "child", "--parent", parent, "--no-spawn"], in: repo)["id"]?.stringValue)
        _ = try h.json(["task", "update", child, "--status", "done", "--as", "human"])
        #expect(
            try h.orangeKilled(
                after: nil, ["task", "update", "--status", "delegated"], in: workspace,
                extraEnvironment: ["ORANGE_TASK_ID=\(parent)", "ORANGE_CRASH_AT=reconcile.released"]), "the point was not reached")
        #expect(try h.status(parent) == "done")
        try h.recover(in: repo)
        try h.checkCrashInvariants("own session")
        // The recovery's pass ends the session (the task names it, so it is never lost).
        #expect(try h.task(["task", "show", parent])["tmux_session"] == .null)
        #expect(h.tmuxSessions().isEmpty)
    }
}

extension OrangeHarness {
    /// A parent `p` (sleepy agent) delegated, by its agent, to one child `c` that then runs.
    func parentDelegatedToOneChild(in repo: String) throws -> (parent: String, child: String) {
        let parent = try #require(try task(["task", "create", "p", "parent", "--harness", "sleepy"], in: repo)["id"]?.stringValue)
        let child = try #require(try task(["task", "create", "c", "child", "--parent", parent], in: repo)["id"]?.stringValue)
        _ = try json(["task", "update", parent, "--status", "delegated", "--as", "agent"])
        #expect(try status(child) == "working", "the child did not start")
        return (parent, child)
    }

    /// Runs `orange args…` with `ORANGE_CRASH_AT=point`; true when it died by SIGKILL.
    func crashAt(_ point: String, _ args: [String], in cwd: String, extraEnvironment: [String] = []) throws -> Bool {
        try orangeKilled(after: nil, args, in: cwd, extraEnvironment: extraEnvironment + ["ORANGE_CRASH_AT=\(point)"])
    }

    /// Atomic-write temporaries anywhere in the data folder.
    func temporaryFiles() throws -> String {
        try runner.check(["find", home, "-name", "*" + ".orange-tmp-" + "*"]).stdout
    }

    /// The pool slots bound to `task`.
    func slots(boundTo task: String) throws -> [String] {
        let pool = try JSONValue.parse(FileSystem.readText(home + "/workspaces/.pool.json"))["workspaces"]?.objectValue ?? []
        return pool.filter { $0.1["status"] == "bound" && $0.1["task"]?.stringValue == task }.map(\.0)
    }

    /// Full passes (`watch --once`), one after another, until the task names no session and no
    /// session is running, or `timeout` seconds have passed. Returns whether it ended.
    func passesEndTheSession(of task: String, timeout: Double = 40) throws -> Bool {
        let clock = SystemClock()
        let deadline = clock.monotonicNanoseconds() + UInt64(timeout * 1e9)
        while clock.monotonicNanoseconds() < deadline {
            if try self.task(["task", "show", task])["tmux_session"] == .null && tmuxSessions().isEmpty { return true }
            _ = try orange(["watch", "--once"])
            _ = try runner.run(["sleep", "0.2"])  // a poll interval, not a wait for the outcome
        }
        return false
    }
}

extension CrashPointEndToEndTests {
    /// A sub-task killed after its own TASK.md is written and before its parent lists it: the link
    /// is on the child's side only. Doctor reports it, and both repairs the code names (the
    /// next full pass and `doctor --fix`) add the child to the parent.
    @Test(arguments: [["watch", "--once"], ["doctor", "--fix"]])
    func aCreateKilledBeforeLinkingTheParentIsRelinked(repair: [String]) throws {
        let h = try OrangeHarness(tmux: true)
        defer { h.killTmuxServer() }
        try h.installSleepyAgent()
        let repo = try h.makeProject("points", poolSize: 2)
        let parent = try #require(
            try h.task(["task", "create", "p", "parent", "--harness", "sleepy", "--no-spawn"], in: repo)["id"]?.stringValue)
        #expect(
            try h.crashAt("create.child-written", ["task", "create", "c", "child", "--parent", parent, "--no-spawn"], in: repo),
            "create.child-written was not reached")

        let tasks = try h.tasks(["task", "list"]).arrayValue ?? []
        let child = try #require(tasks.first { $0["branch"] == "c" }, "the child was not written: \(tasks)")
        #expect(child["parent"]?.stringValue == parent)
        #expect(try h.task(["task", "show", parent])["children"] == .array([]), "the kill did not land between the two writes")
        let doctor = try h.orange(["doctor", "--json"])
        let kinds = (try JSONValue.parse(doctor.stdout)["problems"]?.arrayValue ?? []).compactMap { $0["kind"]?.stringValue }
        #expect(doctor.exitCode == 1 && kinds == ["one_sided_link"], "\(doctor.stdout)")

        let repaired = try h.orange(repair, in: repo)
        #expect(repaired.exitCode == 0, "\(repair): \(repaired.stdout) \(repaired.stderr)")
        #expect(try h.task(["task", "show", parent])["children"] == .array([try #require(child["id"])]), "\(repair) did not relink")
        #expect(try h.temporaryFiles().isEmpty)
        try h.checkCrashInvariants("create.child-written, repaired by \(repair)")
    }

    /// A cancel killed after the task is marked cancelled (`cancel.marked`), or after its slot is
    /// given back and before the task forgets it (`release.unbound`), with and without
    /// `--force`: the recovery frees the one pool slot (a new task then starts in it), the task
    /// keeps no workspace, and its agent's session is ended by later passes, never orphaned.
    @Test(arguments: [("cancel.marked", false), ("cancel.marked", true), ("release.unbound", false), ("release.unbound", true)])
    func aCancelKilledAtEachStepLeavesNoSlotOrSessionBehind(point: String, force: Bool) throws {
        let context = "\(point)\(force ? " --force" : "")"
        let h = try OrangeHarness(tmux: true)
        defer { h.killTmuxServer() }
        try h.installSleepyAgent()
        let repo = try h.makeProject("points", poolSize: 1)
        let task = try #require(try h.task(["task", "create", "t", "cancel me", "--harness", "sleepy"], in: repo)["id"]?.stringValue)
        #expect(try h.status(task) == "working" && h.tmuxSessions().count == 1, "\(context): the task did not start")
        #expect(
            try h.crashAt(point, ["task", "cancel", task, "--yes"] + (force ? ["--force"] : []), in: repo), "\(context) was not reached")
        #expect(try h.status(task) == "cancelled", "\(context): the cancel was not written before the kill")
        if point == "release.unbound" {
            #expect(
                try h.slots(boundTo: task).isEmpty && h.task(["task", "show", task])["workspace"] != .null,
                "\(context): the kill did not land between the pool and the task")
        }

        try h.recover(in: repo)
        try h.checkCrashInvariants(context)
        #expect(try h.task(["task", "show", task])["workspace"] == .null, "\(context): the cancelled task kept its workspace")
        #expect(try h.slots(boundTo: task).isEmpty, "\(context): the pool still binds a slot to the cancelled task")
        let leftovers = try h.temporaryFiles()
        #expect(leftovers.isEmpty, "\(context): \(leftovers)")
        #expect(try h.passesEndTheSession(of: task), "\(context): the cancelled task's session still runs: \(h.tmuxSessions())")
        let next = try #require(try h.task(["task", "create", "n", "next", "--harness", "sleepy"], in: repo)["id"]?.stringValue)
        #expect(try h.status(next) == "working", "\(context): the freed slot was not reused")
        try h.checkCrashInvariants(context + " (after the next task started)")
    }

    /// The last child marked done by hand, killed after its TASK.md is written and before the
    /// reconcile (`update.written`), or after the reconcile completed the delegated parent and
    /// before it released the child's workspace (`reconcile.completed`): the next full pass
    /// completes the parent and frees the child's slot.
    @Test(arguments: ["update.written", "reconcile.completed"])
    func aStatusWriteKilledBeforeItsReconcileIsFinishedByTheNextPass(point: String) throws {
        let h = try OrangeHarness(tmux: true)
        defer { h.killTmuxServer() }
        try h.installSleepyAgent()
        let repo = try h.makeProject("points", poolSize: 2)
        let (parent, child) = try h.parentDelegatedToOneChild(in: repo)
        #expect(try h.crashAt(point, ["task", "update", child, "--status", "done", "--as", "human"], in: repo), "\(point) was not reached")
        #expect(try h.status(child) == "done", "\(point): the status was not written before the kill")
        #expect(try h.status(parent) == (point == "update.written" ? "delegated" : "done"), "\(point): the kill landed elsewhere")
        #expect(try !h.slots(boundTo: child).isEmpty, "\(point): the child's slot was freed before the kill")

        try h.recover(in: repo)
        try h.checkCrashInvariants(point)
        #expect(try h.status(parent) == "done", "\(point): the parent was not completed")
        #expect(try h.task(["task", "show", child])["workspace"] == .null, "\(point): the done child kept its workspace")
        #expect(try h.slots(boundTo: child).isEmpty && h.slots(boundTo: parent).isEmpty, "\(point): a slot is still bound")
        let leftovers = try h.temporaryFiles()
        #expect(leftovers.isEmpty, "\(point): \(leftovers)")
    }
}
