import OrangeCore
import OrangeSystem
import OrangeTestSupport
import Testing

/// A hold (`task hold`, `task create --hold`) keeps a pending task from starting through every
/// later change, unlike `--no-spawn`; `task unhold` starts it.
@Suite(.serialized, .enabled(if: OrangeHarness.hasTmux, "needs tmux"))
struct HoldEndToEndTests {
    @Test func heldTaskStaysPendingThroughEditsWatchAndItsBlockerFinishingThenUnholdStartsIt() throws {
        let h = try OrangeHarness(tmux: true)
        defer { h.killTmuxServer() }
        try h.installScriptedAgent()
        let repo = try h.makeProject("oauth", poolSize: 2)
        let db = try #require(try h.task(["task", "create", "oauth-db", "schema", "--harness", "script"], in: repo)["id"]?.stringValue)
        let created = try h.json(
            ["task", "create", "oauth-api", "endpoints", "--harness", "script", "--blocked-by", db, "--hold"], in: repo)
        let api = try #require(created["task"]?["id"]?.stringValue)
        #expect(created["task"]?["hold"] == .string(""))
        #expect(created["spawn"]?["started"] == .bool(false))

        // An edit, a pass of the engine: still pending.
        _ = try h.json(["task", "update", api, "--description", "endpoints, v2"])
        #expect(try h.orange(["watch", "--once"], in: repo).exitCode == 0)
        #expect(try h.status(api) == "pending")

        // A reason set later replaces none; the hold shows wherever the status does.
        let held = try h.task(["task", "hold", api, "--reason", "waiting for the API review"])
        #expect(held["hold"] == .string("waiting for the API review"))
        #expect(try h.orange(["task", "list"], in: repo).stdout.contains("pending (held)"))
        #expect(try h.orange(["graph"], in: repo).stdout.contains("pending (held)"))
        let why = try h.orange(["task", "why", api], in: repo).stdout
        #expect(why.contains("held: waiting for the API review; lift with 'orange task unhold \(api)'"), "\(why)")
        let show = try h.orange(["task", "show", api], in: repo).stdout
        #expect(show.contains("pending (held)") && show.contains("task.held"), "\(show)")

        // The blocker finishes: the held dependent is not started, by the merge nor by the engine.
        _ = try h.waitFor(db, "reviewing") { $0["status"] == "reviewing" }
        _ = try h.task(["task", "approve", db])
        #expect(try h.json(["task", "merge", db])["task"]?["status"] == "done")
        #expect(try h.orange(["watch", "--once"], in: repo).exitCode == 0)
        #expect(try h.status(api) == "pending")
        let ready = try h.tasks(["task", "list", "--ready"], in: repo)
        #expect(ready.arrayValue?.isEmpty == true, "\(ready)")
        let spawn = try h.orange(["task", "spawn", api], in: repo)
        #expect(spawn.exitCode != 0 && spawn.stderr.contains("held"), "\(spawn.stderr)")

        // Lifted: it starts at once and runs to review.
        let unheld = try h.task(["task", "unhold", api])
        #expect(unheld["hold"] == .null)
        _ = try h.waitFor(api, "reviewing") { $0["status"] == "reviewing" }
        let history = try h.json(["task", "show", api])["history"]?.arrayValue ?? []
        let types = history.compactMap { $0["type"]?.stringValue }
        #expect(types.contains("task.held") && types.contains("task.unheld"), "\(types)")
        #expect(try h.orange(["task", "unhold", api]).exitCode != 0)
    }

    @Test func holdDoesNotStopARunningAgent() throws {
        let h = try OrangeHarness(tmux: true)
        defer { h.killTmuxServer() }
        try h.installSleepyAgent()
        let repo = try h.makeProject("oauth", poolSize: 1)
        let id = try #require(try h.task(["task", "create", "long", "long work", "--harness", "sleepy"], in: repo)["id"]?.stringValue)
        let working = try h.waitFor(id, "working") { $0["status"] == "working" }
        let session = try #require(working["tmux_session"]?.stringValue)
        let held = try h.orange(["task", "hold", id], in: repo)
        #expect(held.exitCode == 0 && held.stdout.contains("its agent keeps running"), "\(held.stdout) \(held.stderr)")
        #expect(try h.orange(["watch", "--once"], in: repo).exitCode == 0)
        #expect(try h.status(id) == "working")
        let socket = try #require(h.tmuxSocket)
        #expect(try h.runner.run(["tmux", "-L", socket, "has-session", "-t", session]).exitCode == 0)
    }
}
