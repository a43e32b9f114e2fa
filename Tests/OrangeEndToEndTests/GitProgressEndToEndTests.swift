import OrangeCore
import OrangeSystem
import OrangeTestSupport
import Testing

extension OrangeHarness {
    /// Runs `orange` command lines one after another on a real terminal (a pane of the private
    /// tmux server, 200 columns wide), then returns what the terminal shows once they are done.
    func onTerminal(_ commands: [[String]], in cwd: String, timeout: Double = 60) throws -> String {
        let session = "term\(UInt32.random(in: 0...UInt32.max))"
        let variables = environment.sorted { $0.key < $1.key }.map { ShellQuoting.quote("\($0.key)=\($0.value)") }.joined(separator: " ")
        let lines = commands.map {
            "env \(variables) \(ShellQuoting.quote(Self.binary)) \($0.map(ShellQuoting.quote).joined(separator: " "))"
        }
        let script = "cd \(ShellQuoting.quote(cwd)); " + lines.joined(separator: "; ") + "; echo terminal-done; sleep 600"
        try runner.check(["tmux", "-L", tmuxSocket!, "new-session", "-d", "-s", session, "-x", "200", "-y", "100", script])
        defer { _ = try? runner.run(["tmux", "-L", tmuxSocket!, "kill-session", "-t", "=" + session]) }
        let clock = SystemClock()
        let deadline = clock.monotonicNanoseconds() + UInt64(timeout * 1e9)
        var screen = ""
        while clock.monotonicNanoseconds() < deadline {
            screen =
                (try? runner.run(["tmux", "-L", tmuxSocket!, "capture-pane", "-p", "-J", "-S", "-", "-t", "=" + session + ":"]))?.stdout
                ?? ""
            if screen.contains("terminal-done") { return screen }
            clock.sleep(milliseconds: 50)  // a poll interval for the screen, not a wait for the outcome
        }
        Issue.record("the terminal did not finish: \(screen)")
        return screen
    }
}

/// Long git operations (fetch, merge, push, worktree creation) say what they do on a terminal,
/// and print nothing extra without one or under `--json`.
@Suite(.serialized, .enabled(if: OrangeHarness.hasTmux, "needs tmux"))
struct GitProgressEndToEndTests {
    /// A task whose agent ran and handed in, approved: ready to merge.
    func reviewedTask(_ h: OrangeHarness, _ branch: String, in repo: String) throws -> String {
        let created = try h.orange(["task", "create", branch, "x", "--harness", "sleepy"], in: repo)
        #expect(created.exitCode == 0, "\(created.stderr)")
        // No terminal: the spawn's worktree creation is not announced.
        #expect(!created.stderr.contains("orange: "), "\(created.stderr)")
        let id = try #require(
            try h.tasks(["task", "list"], in: repo).arrayValue?.first { $0["branch"]?.stringValue == branch }?["id"]?.stringValue)
        _ = try h.task(["task", "update", id, "--status", "reviewing", "--as", "agent"])
        _ = try h.task(["task", "approve", id])
        return id
    }

    @Test func longGitStepsAreAnnouncedOnATerminalOnly() throws {
        let h = try OrangeHarness(tmux: true)
        defer { h.killTmuxServer() }
        try h.installSleepyAgent()
        let repo = try h.makeProject("coffee", poolSize: 3)
        let piped = try reviewedTask(h, "piped", in: repo)
        let shown = try reviewedTask(h, "shown", in: repo)
        let quiet = try reviewedTask(h, "quiet", in: repo)

        // Without a terminal: the merge prints its result and nothing about git.
        let merged = try h.orange(["task", "merge", piped])
        #expect(merged.exitCode == 0 && merged.stderr.isEmpty, "\(merged.stderr)")

        // On a terminal: one line per long step, before it runs.
        // (A new project's first task: its worktree is created, not reused from the pool.)
        let tea = try h.makeProject("tea")
        let screen = try h.onTerminal(
            [["task", "merge", shown], ["task", "create", "-p", "tea", "next", "y", "--harness", "sleepy"]], in: tea)
        #expect(screen.contains("orange: fetching origin (coffee--"), "\(screen)")
        #expect(screen.contains("orange: merging shown (coffee--"), "\(screen)")
        #expect(screen.contains("orange: pushing to origin/main (coffee--"), "\(screen)")
        #expect(screen.contains("merged into origin/main"), "\(screen)")
        #expect(screen.contains("orange: creating worktree tea--1 at "), "\(screen)")

        // On a terminal under --json: the envelope and nothing else.
        let json = try h.onTerminal([["task", "merge", quiet, "--json"]], in: repo)
        #expect(!json.contains("orange: "), "\(json)")
        #expect(json.contains("\"schema\": 1") && json.contains("\"strategy\""), "\(json)")
        #expect(try h.task(["task", "show", quiet])["status"] == "done")
    }
}
