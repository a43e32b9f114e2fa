import OrangeCore
import OrangeSystem
import OrangeTestSupport
import Testing

/// `history.jsonl` is complete and exact after any kill: every status a TASK.md took has its
/// `status.changed` line, once; every spawn, interrupted or not, and its rollback are there; a
/// release is written once.
@Suite(.serialized, .enabled(if: OrangeHarness.hasTmux, "needs tmux"))
struct HistoryEndToEndTests {
    func history(_ h: OrangeHarness, _ task: String, project: String = "points") throws -> [JSONValue] {
        try FileSystem.readText(h.home + "/tasks/\(project)/\(task)/history.jsonl")
            .split(separator: "\n").map { try JSONValue.parse(String($0)) }
    }

    func statusLines(_ lines: [JSONValue]) -> [String] {
        lines.filter { $0["type"] == "status.changed" }.map { "\($0["from"]?.stringValue ?? "?")>\($0["to"]?.stringValue ?? "?")" }
    }

    /// A delegated parent's auto-complete killed after its TASK.md was written and before its
    /// history line (`store.status-written`): the next pass writes the line, once.
    @Test func aKillRightAfterAnAutoCompleteLosesNoHistoryLine() throws {
        let h = try OrangeHarness(tmux: true)
        defer { h.killTmuxServer() }
        try h.installSleepyAgent()
        let repo = try h.makeProject("points", poolSize: 2)
        let (parent, child) = try h.parentDelegatedToOneChild(in: repo)
        // The child done, killed before its reconcile: the parent is not completed yet.
        #expect(try h.crashAt("update.written", ["task", "update", child, "--status", "done", "--as", "human"], in: repo))
        #expect(try h.status(parent) == "delegated")
        // The pass that completes the parent is killed between its two writes.
        #expect(try h.crashAt("store.status-written", ["watch", "--once"], in: repo), "the point was not reached")
        #expect(try h.status(parent) == "done")
        #expect(statusLines(try history(h, parent)) == ["pending>working", "working>delegated"])
        try h.recover(in: repo)
        #expect(statusLines(try history(h, parent)) == ["pending>working", "working>delegated", "delegated>done"])
        // Another pass adds nothing.
        try h.recover(in: repo)
        #expect(statusLines(try history(h, parent)).count == 3)
        #expect(statusLines(try history(h, child)) == ["pending>working", "working>done"])
    }

    /// A kill after the line was appended and before the journal was removed
    /// (`store.status-recorded`) does not write the line twice.
    @Test func aKillAfterTheLineWasWrittenDoesNotWriteItTwice() throws {
        let h = try OrangeHarness(tmux: true)
        defer { h.killTmuxServer() }
        try h.installSleepyAgent()
        let repo = try h.makeProject("points", poolSize: 2)
        let task = try #require(try h.task(["task", "create", "t", "x", "--harness", "sleepy"], in: repo)["id"]?.stringValue)
        #expect(try h.crashAt("store.status-recorded", ["task", "update", task, "--status", "reviewing", "--as", "agent"], in: repo))
        try h.recover(in: repo)
        #expect(statusLines(try history(h, task)) == ["pending>working", "working>reviewing"])
    }

    /// A spawn killed after its agent started and before it was recorded, then rolled back and
    /// spawned again: the history shows both claims and the rollback.
    @Test func anInterruptedSpawnAndItsRollbackAreRecorded() throws {
        let h = try OrangeHarness(tmux: true)
        defer { h.killTmuxServer() }
        try h.installSleepyAgent()
        let repo = try h.makeProject("points", poolSize: 2)
        let task = try #require(try h.task(["task", "create", "t", "x", "--harness", "sleepy", "--no-spawn"], in: repo)["id"]?.stringValue)
        #expect(try h.crashAt("spawn.started", ["task", "spawn", task], in: repo), "the point was not reached")
        try h.recover(in: repo)
        #expect(try h.status(task) == "working")
        let lines = try history(h, task)
        #expect(statusLines(lines) == ["pending>working", "working>pending", "pending>working"], "\(lines)")
        #expect(lines.filter { $0["type"] == "agent.spawned" }.count == 1)
    }

    /// A merge frees the workspace once, and says so once.
    @Test func aReleaseIsWrittenOnce() throws {
        let h = try OrangeHarness(tmux: true)
        defer { h.killTmuxServer() }
        try h.installScriptedAgent()
        let repo = try h.makeProject("points", poolSize: 2)
        let task = try #require(try h.task(["task", "create", "t", "x", "--harness", "script"], in: repo)["id"]?.stringValue)
        _ = try h.waitFor(task, "reviewing") { $0["status"] == "reviewing" }
        _ = try h.task(["task", "approve", task])
        _ = try h.json(["task", "merge", task])
        try h.recover(in: repo)
        let lines = try history(h, task)
        #expect(lines.filter { $0["type"] == "workspace.released" }.count == 1, "\(lines)")
        #expect(statusLines(lines) == ["pending>working", "working>reviewing", "reviewing>reviewed", "reviewed>done"])
    }

    /// A status edited in TASK.md outside orange (here `sed -i`, as an agent or a person would)
    /// gets its line from the engine, once; orange's own status writes are not recorded twice.
    @Test func aStatusEditedOutsideOrangeGetsItsLineFromTheEngine() throws {
        let h = try OrangeHarness(tmux: true)
        defer { h.killTmuxServer() }
        let repo = try h.makeProject("points", poolSize: 2)
        let task = try #require(
            try h.task(["task", "create", "t", "x", "--status", "reviewing", "--no-spawn"], in: repo)["id"]?.stringValue)
        let pid = try h.startWatch(in: repo)
        defer { h.stopWatch(pid) }
        _ = try h.task(["task", "approve", task])
        try h.runner.check(["sed", "-i", "s/^status: reviewed$/status: done/", h.home + "/tasks/points/\(task)/TASK.md"])
        let clock = SystemClock()
        let deadline = clock.monotonicNanoseconds() + 20_000_000_000
        var lines = try statusLines(history(h, task))
        while lines.count < 2 && clock.monotonicNanoseconds() < deadline {
            clock.sleep(milliseconds: 20)  // a poll interval, not a wait for the outcome
            lines = try statusLines(history(h, task))
        }
        #expect(lines == ["reviewing>reviewed", "reviewed>done"], "\(lines)")
        let edited = try history(h, task).last { $0["type"] == "status.changed" }
        #expect(edited?["by"] == "human" && edited?["cause"] == "TASK.md edited outside orange")
        _ = try h.orange(["watch", "sync"])
        #expect(try statusLines(history(h, task)).count == 2)
    }

    /// The same edit while no engine runs: the next full pass (`watch --once`, an engine's
    /// start-up or sweep) writes the line.
    @Test func aStatusEditedWhileNoEngineRanGetsItsLineFromTheNextFullPass() throws {
        let h = try OrangeHarness(tmux: true)
        defer { h.killTmuxServer() }
        let repo = try h.makeProject("points", poolSize: 2)
        let task = try #require(
            try h.task(["task", "create", "t", "x", "--status", "reviewing", "--no-spawn"], in: repo)["id"]?.stringValue)
        try h.runner.check(["sed", "-i", "s/^status: reviewing$/status: done/", h.home + "/tasks/points/\(task)/TASK.md"])
        #expect(try statusLines(history(h, task)).isEmpty)
        _ = try h.orange(["watch", "--once"], in: repo)
        #expect(try statusLines(history(h, task)) == ["reviewing>done"])
        _ = try h.orange(["watch", "--once"], in: repo)
        #expect(try statusLines(history(h, task)) == ["reviewing>done"])
    }
}
