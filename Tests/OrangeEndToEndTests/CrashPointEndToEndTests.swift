import OrangeCore
import OrangeSystem
import OrangeTestSupport
import Testing

@Suite(.serialized, .enabled(if: OrangeHarness.hasTmux, "needs tmux"))
struct CrashPointEndToEndTests {
    /// Each step of a spawn and of a merge, killed on purpose
    /// (`ORANGE_CRASH_AT=<point>`, a test hook): the recovery leaves every invariant true, the task
    /// runs with exactly one agent, and a merge cut short lands once when run again.
    @Test(arguments: ["spawn.marked", "spawn.claimed", "spawn.bound", "spawn.prepared", "spawn.recorded", "spawn.started", "spawn.finished"])
    func aSpawnKilledAtEachStepIsRepaired(point: String) throws {
        let h = try OrangeHarness(tmux: true)
        defer { h.killTmuxServer() }
        try h.installSleepyAgent()
        let repo = try h.makeProject("points", poolSize: 2)
        let task = try #require(try h.json(["task", "create", "p", "crash point", "--harness", "sleepy", "--no-spawn"], in: repo)["id"]?.stringValue)
        #expect(try h.orangeKilled(after: nil, ["task", "spawn", task], in: repo, extraEnvironment: ["ORANGE_CRASH_AT=\(point)"]), "\(point) was not reached")
        try h.recover(in: repo)
        try h.checkCrashInvariants(point)
        let after = try h.json(["task", "show", task])
        #expect(after["status"] == "working", "\(point): \(after)")
        #expect(h.tmuxSessions().filter { $0 == after["tmux_session"]?.stringValue }.count == 1, "\(point): \(h.tmuxSessions())")
    }

    @Test(arguments: ["merge.pushed", "merge.recorded"])
    func aMergeKilledAtEachStepIsFinishedByRunningItAgain(point: String) throws {
        let h = try OrangeHarness(tmux: true)
        defer { h.killTmuxServer() }
        try h.installSleepyAgent()
        let repo = try h.makeProject("points", poolSize: 2)
        let task = try #require(try h.json(["task", "create", "m", "crash point", "--harness", "sleepy"], in: repo)["id"]?.stringValue)
        let workspace = h.home + "/workspaces/" + (try #require(try h.json(["task", "show", task])["workspace"]?.stringValue))
        try AtomicFile.write("work\n", to: workspace + "/work.txt")
        try h.runner.check(["git", "-C", workspace, "add", "work.txt"])
        try h.runner.check(["git", "-C", workspace, "commit", "-q", "-m", "work for \(task)"], environment: h.environment)
        _ = try h.json(["task", "update", task, "--status", "reviewing", "--as", "agent"])
        _ = try h.json(["task", "approve", task])
        #expect(try h.orangeKilled(after: nil, ["task", "merge", task], in: repo, extraEnvironment: ["ORANGE_CRASH_AT=\(point)"]), "\(point) was not reached")
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
        let parent = try #require(try h.json(["task", "create", "p", "parent", "--harness", "sleepy"], in: repo)["id"]?.stringValue)
        let workspace = h.home + "/workspaces/" + (try #require(try h.json(["task", "show", parent])["workspace"]?.stringValue))
        let child = try #require(try h.json(["task", "create", "c", "child", "--parent", parent, "--no-spawn"], in: repo)["id"]?.stringValue)
        _ = try h.json(["task", "update", child, "--status", "done", "--as", "human"])
        #expect(try h.orangeKilled(after: nil, ["task", "update", "--status", "delegated"], in: workspace,
                                   extraEnvironment: ["ORANGE_TASK_ID=\(parent)", "ORANGE_CRASH_AT=reconcile.released"]), "the point was not reached")
        #expect(try h.status(parent) == "done")
        try h.recover(in: repo)
        try h.checkCrashInvariants("own session")
        // The pane may still be running (the recovery leaves a live agent a grace period), but
        // the task names it, so it is never lost.
        #expect(try h.json(["task", "show", parent])["tmux_session"]?.stringValue == "points/p" || h.tmuxSessions().isEmpty)
    }
}
