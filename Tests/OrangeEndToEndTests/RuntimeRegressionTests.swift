import OrangeCore
import OrangeSystem
import OrangeTestSupport
import Testing

/// The original orange's runtime bugs (reference §9, B1–B5), the tmux name rewrite and prompt
/// quoting, each through the real binary, real git and tmux on a private socket.
@Suite(.serialized, .enabled(if: OrangeHarness.hasTmux, "needs tmux"))
struct RuntimeRegressionTests {
    /// An agent that records its argv byte for byte, then waits to be stopped.
    static let argvAgent = #"""
        #!/bin/sh
        out="$1"; shift
        for a in "$@"; do printf '%s\0' "$a"; done > "$out.tmp" && mv "$out.tmp" "$out"
        exec sleep 600
        """#

    func id(_ value: JSONValue) throws -> String { try #require(value["id"]?.stringValue) }

    @Test func b1ARepeatingSpawnFailureEndsInFailedNotALoop() throws {
        let h = try OrangeHarness(tmux: true)
        defer { h.killTmuxServer() }
        try h.installScriptedAgent()
        let repo = try h.makeProject("coffee")
        // The user's own checkout is on the task's branch, so git refuses to check it out in a
        // worktree: every spawn fails the same way.
        try h.runner.check(["git", "-C", repo, "checkout", "-q", "-b", "stale"])
        let task = try id(h.task(["task", "create", "stale", "x", "--harness", "script", "--no-spawn"], in: repo))
        let first = try h.orange(["task", "spawn", task])
        #expect(first.exitCode == 1 && first.stderr.contains("already"), "\(first.stderr)")
        var shown = try h.task(["task", "show", task])
        #expect(shown["status"] == "pending" && shown["spawn_failures"] == 1 && shown["workspace"] == .null)
        let second = try h.orange(["task", "spawn", task])
        #expect(second.exitCode == 1 && second.stderr.contains("now failed"))
        shown = try h.task(["task", "show", task])
        #expect(shown["status"] == "failed")
        // The rollback freed the worktree: the pool has nothing bound.
        let pool = try h.json(["workspace", "list"], in: repo)["workspaces"]?.arrayValue ?? []
        #expect(pool.allSatisfy { $0["status"] == "available" })
        // Nothing keeps retrying it.
        _ = try h.task(["task", "create", "other", "y", "--harness", "script", "--no-spawn"], in: repo)
        #expect(try h.status(task) == "failed")
    }

    @Test func b2ReleasingAWorkspaceNeverMovesTheTasksBranch() throws {
        let h = try OrangeHarness(tmux: true)
        defer { h.killTmuxServer() }
        try h.installScriptedAgent()
        let repo = try h.makeProject("coffee")
        let task = try id(h.task(["task", "create", "keep-me", "work", "--harness", "script"], in: repo))
        _ = try h.waitFor(task, "reviewing") { $0["status"] == "reviewing" }
        let tip = try h.runner.check(["git", "-C", repo, "rev-parse", "refs/heads/keep-me"]).stdout
        _ = try h.task(["task", "cancel", task, "--yes"])
        #expect(try h.task(["task", "show", task])["workspace"] == .null)
        #expect(try h.runner.check(["git", "-C", repo, "rev-parse", "refs/heads/keep-me"]).stdout == tip)
        #expect(try h.runner.check(["git", "-C", repo, "log", "--format=%s", "keep-me"]).stdout.contains("work for \(task)"))
    }

    /// Found by the crash-point tests: a cancel went through the reconcile's grace period for
    /// agents reporting on themselves, and the cancelled agent kept running until a later pass.
    @Test func aPersonsCancelEndsTheRunningAgentAtOnce() throws {
        let h = try OrangeHarness(tmux: true)
        defer { h.killTmuxServer() }
        try h.installSleepyAgent()
        let repo = try h.makeProject("coffee")
        let task = try id(h.task(["task", "create", "long-job", "work", "--harness", "sleepy"], in: repo))
        #expect(try h.status(task) == "working")
        #expect(h.tmuxSessions().count == 1)
        let cancelled = try h.task(["task", "cancel", task, "--yes"])
        #expect(cancelled["status"] == "cancelled" && cancelled["tmux_session"] == .null && cancelled["workspace"] == .null)
        // Checked right after the command returned: no later pass is needed to end it.
        #expect(h.tmuxSessions().isEmpty)
        let pool = try h.json(["workspace", "list"], in: repo)["workspaces"]?.arrayValue ?? []
        #expect(pool.allSatisfy { $0["status"] == "available" })
    }

    @Test func b3AndB5MergeNeverTouchesTheUsersCheckoutAndAFailedPushIsAnError() throws {
        let h = try OrangeHarness(tmux: true)
        defer { h.killTmuxServer() }
        try h.installScriptedAgent()
        let repo = try h.makeProject("coffee")
        try AtomicFile.write("my unsaved notes\n", to: repo + "/NOTES.md", mode: 0o644)
        try h.runner.check(["git", "-C", repo, "checkout", "-q", "-b", "my-own-branch"])
        let task = try id(h.task(["task", "create", "feature", "work", "--harness", "script"], in: repo))
        _ = try h.waitFor(task, "reviewing") { $0["status"] == "reviewing" }
        _ = try h.task(["task", "approve", task])

        // B5: origin unreachable → the merge fails loudly and the task is unchanged.
        let origin = h.directory.path + "/coffee-origin.git"
        try FileSystem.rename(origin, to: origin + ".away")
        let failed = try h.orange(["task", "merge", task])
        #expect(failed.exitCode == 1)
        #expect(failed.stderr.contains("merging task \(task) failed, nothing was pushed"), "\(failed.stderr)")
        #expect(try h.status(task) == "reviewed")
        try FileSystem.rename(origin + ".away", to: origin)

        _ = try h.json(["task", "merge", task])
        // B3: the user's checkout is exactly as they left it.
        #expect(try FileSystem.readText(repo + "/NOTES.md") == "my unsaved notes\n")
        #expect(try h.runner.check(["git", "-C", repo, "symbolic-ref", "--short", "HEAD"]).stdout == "my-own-branch\n")
        #expect(try h.runner.check(["git", "-C", origin, "log", "--format=%s", "main"]).stdout.contains("work for \(task)"))
    }

    @Test func sessionNamesSurviveTmuxRewritesAndPromptsArriveByteForByte() throws {
        let h = try OrangeHarness(tmux: true)
        defer { h.killTmuxServer() }
        try FileSystem.makeDirectories(h.home)
        let out = h.directory.path + "/argv"
        try AtomicFile.write(Self.argvAgent, to: h.directory.path + "/argv.sh", mode: 0o755)
        try AtomicFile.write(
            #"{"harnesses": {"argv": {"command": ["sh", "\#(h.directory.path)/argv.sh", "\#(out)", "{prompt}", "{task_id}"]}}}"#,
            to: h.home + "/config.json")
        let repo = try h.makeProject("coffee")
        let description = "quote ' \" back ` $(touch \(h.directory.path)/pwned) ${HOME} \\ ; | & done"
        let task = try id(h.task(["task", "create", "fix/v1.2", description, "--harness", "argv"], in: repo))
        let shown = try h.waitFor(task, "running") { $0["tmux_session"] != .null }
        let session = try #require(shown["tmux_session"]?.stringValue)
        #expect(session == "coffee/fix/v1_2+\(task)")
        #expect(try h.runner.run(["tmux", "-L", h.tmuxSocket!, "has-session", "-t", "=" + session]).exitCode == 0)

        let clock = SystemClock()
        let deadline = clock.monotonicNanoseconds() + 10_000_000_000
        while !FileSystem.fileExists(out) && clock.monotonicNanoseconds() < deadline { _ = try h.runner.run(["sleep", "0.02"]) }
        let argv = try FileSystem.readBytes(out).split(separator: 0, omittingEmptySubsequences: false).map {
            String(decoding: $0, as: UTF8.self)
        }
        #expect(argv.count == 3)
        #expect(argv.first?.contains("Task: " + description) == true)
        #expect(argv.first?.contains("\n") == true, "real newlines, not \\n")
        #expect(argv.dropFirst().first == task)
        #expect(!FileSystem.fileExists(h.directory.path + "/pwned"))
        // Attach finds the session despite the rewrite (asked for the argv, not run).
        let attach = try h.json(["task", "attach", task])
        #expect(attach["session"]?.stringValue == session)
    }
}
