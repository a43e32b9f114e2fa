import OrangeCore
import OrangeSystem
import OrangeTestSupport
import Testing

/// The seam between orange and a real agent: an agent runs plain `orange` from its PATH, keeps
/// running after it reports, and is started again under a name that is its task's own. Real
/// binary, real git with an origin, real tmux on a private socket.
@Suite(.serialized, .enabled(if: OrangeHarness.hasTmux, "needs tmux"))
struct AgentSeamEndToEndTests {
    /// Records which `orange` the agent finds on its PATH, then waits to be stopped.
    static let pathAgent = #"""
        #!/bin/sh
        out="$1"
        { command -v orange || echo "not found"; readlink -f "$(command -v orange)" || true; } > "$out.tmp"
        mv "$out.tmp" "$out"
        exec sleep 600
        """#

    /// Commits, reports for review, and goes on running (a child in the background and itself),
    /// as real agents do. At its start it writes down which processes of the agent that ran in
    /// this folder before it are still alive; at its end, its own.
    static let lingeringAgent = #"""
        #!/bin/sh
        set -e
        log="$1"
        id="$ORANGE_TASK_ID"
        : > "$log/seen-$id.tmp"
        if [ -f "$log/pids" ]; then
            for p in $(cat "$log/pids"); do
                if [ -r "/proc/$p/stat" ] && ! grep -q ') Z ' "/proc/$p/stat"; then echo "alive $p" >> "$log/seen-$id.tmp"; fi
            done
        fi
        echo "checked" >> "$log/seen-$id.tmp"
        mv "$log/seen-$id.tmp" "$log/seen-$id"
        sleep 600 &
        echo "$$ $!" > "$log/pids.tmp"
        mv "$log/pids.tmp" "$log/pids"
        echo "work of $id" > "work-$id.txt"
        git add "work-$id.txt"
        git -c user.name=agent -c user.email=agent@orange.invalid commit -q -m "work for $id"
        orange task update --status reviewing
        exec sleep 600
        """#

    /// Looks first for any process left in the session of the agent that ran in this folder
    /// before it; a task whose body says `delegate` starts a child in the background, creates a
    /// sub-task and delegates to it, from its own workspace.
    static let delegatingAgent = #"""
        #!/bin/sh
        log="$1"; task_file="$2"; id="$ORANGE_TASK_ID"
        : > "$log/seen-$id.tmp"
        if [ -f "$log/session" ]; then
            old=$(cat "$log/session")
            # A zombie has ended (pid 1 here may be slow to reap); anything else still runs.
            left=$(ps -e -o sid=,stat=,pid=,args= | awk -v s="$old" '$1 == s && $2 !~ /^Z/')
            if [ -n "$left" ]; then echo "alive: $left" >> "$log/seen-$id.tmp"; fi
        fi
        echo "checked" >> "$log/seen-$id.tmp"
        mv "$log/seen-$id.tmp" "$log/seen-$id"
        if grep -q '^delegate$' "$task_file"; then
            sleep 600 &
            echo "$$" > "$log/session"
            orange task create "sub-$id" "the part" > /dev/null
            orange task update --status delegated > /dev/null
        fi
        exec sleep 600
        """#

    func install(_ h: OrangeHarness, _ name: String, _ script: String, arguments: [String]) throws {
        try FileSystem.makeDirectories(h.home)
        try AtomicFile.write(script, to: h.directory.path + "/\(name).sh", mode: 0o755)
        let args = arguments.map { "\"\($0)\"" }.joined(separator: ", ")
        try AtomicFile.write(
            #"{"harnesses": {"\#(name)": {"command": ["sh", "\#(h.directory.path)/\#(name).sh", \#(args)]}}}"#,
            to: h.home + "/config.json")
    }

    func id(_ value: JSONValue) throws -> String { try #require(value["id"]?.stringValue) }

    @Test func anAgentFindsTheOrangeThatSpawnedItFirstOnItsPathAfterSpawnAndRespawn() throws {
        let h = try OrangeHarness(tmux: true)
        defer { h.killTmuxServer() }
        let out = h.directory.path + "/which-orange"
        try install(h, "pathy", Self.pathAgent, arguments: [out])
        // The tmux server was started before orange, by someone whose PATH has no orange: the
        // pane would get that PATH (or the caller's), not the one orange asks for.
        try h.runner.check(["env", "PATH=/usr/bin:/bin", "tmux", "-L", h.tmuxSocket!, "new-session", "-d", "-s", "user-session"])
        let repo = try h.makeProject("coffee")
        let task = try id(h.task(["task", "create", "pathy", "x", "--harness", "pathy"], in: repo))
        let binary = try #require(FileSystem.realPath(OrangeHarness.binary))
        let found = try #require(try h.waitForFile(out), "the agent never wrote which orange it found")
        let lines = found.split(separator: "\n").map(String.init)
        #expect(lines.count == 2 && lines[0] != "not found", "\(found)")
        #expect(lines.last == binary, "the agent runs \(found), not \(binary)")

        // The same after a respawn.
        try FileSystem.removeTree(out)
        let session = try #require(try h.task(["task", "show", task])["tmux_session"]?.stringValue)
        try h.runner.check(["tmux", "-L", h.tmuxSocket!, "kill-session", "-t", "=" + session])
        _ = try h.task(["task", "respawn", task])
        let again = try #require(try h.waitForFile(out), "the respawned agent never wrote which orange it found")
        #expect(again.split(separator: "\n").last.map(String.init) == binary, "\(again)")
    }

    @Test func aMergedTasksAgentHasEndedBeforeItsSlotIsGivenToTheNextTask() throws {
        let h = try OrangeHarness(tmux: true)
        defer { h.killTmuxServer() }
        let log = h.directory.path + "/agents"
        try FileSystem.makeDirectories(log)
        try install(h, "lingering", Self.lingeringAgent, arguments: [log])
        let repo = try h.makeProject("coffee", poolSize: 1)
        let first = try id(h.task(["task", "create", "first", "x", "--harness", "lingering"], in: repo))
        let second = try id(h.task(["task", "create", "second", "y", "--harness", "lingering", "--blocked-by", first], in: repo))
        _ = try h.waitFor(first, "reviewing") { $0["status"] == "reviewing" }
        // The first agent reported and still runs (itself and a child).
        let pids = try #require(try h.waitForFile(log + "/pids")).split(separator: " ").compactMap { Int32(String($0).trimmingSpaces()) }
        #expect(pids.count == 2)
        _ = try h.task(["task", "approve", first])
        _ = try h.json(["task", "merge", first])
        // The merge started the second task in the one slot; at its start it looked.
        let seen = try #require(try h.waitForFile(log + "/seen-\(second)"), "the second task never started")
        #expect(seen == "checked\n", "the second agent started while the first one still ran: \(seen)")
        let shown = try h.task(["task", "show", second])
        #expect(shown["workspace"] == "coffee--1")
    }

    @Test func aBranchUsedAgainAndBranchesTmuxCannotTellApartGetSessionsOfTheirOwn() throws {
        let h = try OrangeHarness(tmux: true)
        defer { h.killTmuxServer() }
        try h.installScriptedAgent()
        let repo = try h.makeProject("p5", poolSize: 2)
        let first = try id(h.task(["task", "create", "reuse", "first", "--harness", "script"], in: repo))
        _ = try h.waitFor(first, "reviewing") { $0["status"] == "reviewing" }
        _ = try h.task(["task", "approve", first])
        _ = try h.json(["task", "merge", first])
        // A new task on the branch just merged starts and works like any other.
        let again = try id(h.task(["task", "create", "reuse", "again", "--harness", "script"], in: repo))
        let shown = try h.waitFor(again, "reviewing") { $0["status"] == "reviewing" }
        #expect(shown["spawn_failures"] == nil || shown["spawn_failures"] == 0, "\(shown)")
        _ = try h.task(["task", "cancel", again, "--yes"])

        // Two branches that tmux would name alike run side by side.
        try h.installSleepyAgent()
        let dotted = try id(h.task(["task", "create", "fix/v1.2", "a", "--harness", "sleepy"], in: repo))
        let underscored = try id(h.task(["task", "create", "fix/v1_2", "b", "--harness", "sleepy"], in: repo))
        let sessions = try [dotted, underscored].map { try h.task(["task", "show", $0]) }
        #expect(sessions.allSatisfy { $0["status"] == "working" }, "\(sessions)")
        let names = sessions.compactMap { $0["tmux_session"]?.stringValue }
        #expect(Set(names).count == 2 && names.allSatisfy(h.tmuxSessions().contains), "\(names) \(h.tmuxSessions())")
    }

    @Test func anAgentThatDelegatesHasEndedBeforeItsSlotGoesToItsChild() throws {
        let h = try OrangeHarness(tmux: true)
        defer { h.killTmuxServer() }
        let log = h.directory.path + "/agents"
        try FileSystem.makeDirectories(log)
        try install(h, "delegating", Self.delegatingAgent, arguments: [log, "{task_file}"])
        let repo = try h.makeProject("coffee", poolSize: 1)
        let parent = try id(h.task(["task", "create", "parent", "split me", "--harness", "delegating", "--context", "delegate"], in: repo))
        let shown = try h.waitFor(parent, "delegated with a working child") { task in
            guard task["status"] == "delegated", let child = task["children"]?.arrayValue?.first?.stringValue else { return false }
            return (try? h.status(child)) == "working"
        }
        let child = try #require(shown["children"]?.arrayValue?.first?.stringValue)
        let seen = try #require(try h.waitForFile(log + "/seen-\(child)"), "the child never started")
        #expect(seen == "checked\n", "the child started while a process of its parent's session still ran: \(seen)")
        #expect(try h.task(["task", "show", child])["workspace"] == "coffee--1")
        #expect(try h.task(["task", "show", parent])["tmux_session"] == .null)
    }

    /// The engine (here: a process holding the task's spawn lock, as the engine does while it
    /// ends the session) is ending an agent's session when the agent's own `task update --status
    /// delegated` reaches its release: the command does not wait for that lock (the holder waits
    /// for the command to exit, so both would wait until the kill); it finishes its report.
    @Test func anAgentsOwnReportDoesNotWaitForWhoeverIsEndingItsSession() throws {
        let h = try OrangeHarness(tmux: true)
        defer { h.killTmuxServer() }
        try h.installSleepyAgent()
        let repo = try h.makeProject("coffee", poolSize: 2)
        let task = try id(h.task(["task", "create", "parent", "x", "--harness", "sleepy"], in: repo))
        let workspace = h.home + "/workspaces/" + (try #require(try h.task(["task", "show", task])["workspace"]?.stringValue))
        _ = try h.task(["task", "create", "child", "y", "--parent", task, "--no-spawn"], in: repo)
        let lock = h.home + "/tasks/coffee/\(task)/.spawn.lock"
        let holder = try h.runner.check(["sh", "-c", "flock -x \"$1\" sleep 20 >/dev/null 2>&1 & echo $!", "_", lock]).stdout
            .trimmingSpaces()
        defer { _ = try? h.runner.run(["kill", holder]) }
        let clock = SystemClock()
        let deadline = clock.monotonicNanoseconds() + 10_000_000_000
        // The holder has the lock once flock runs its sleep.
        while (try? h.runner.run(["flock", "-n", lock, "true"]))?.exitCode == 0 && clock.monotonicNanoseconds() < deadline {
            clock.sleep(milliseconds: 10)  // a poll interval, not a wait for the outcome
        }
        let report = try h.orange(
            ["task", "update", "--status", "delegated", "--json"], in: workspace, extraEnvironment: ["ORANGE_TASK_ID": task])
        #expect(report.exitCode == 0, "\(report.stdout) \(report.stderr)")
        #expect(try h.status(task) == "delegated")
        // It returned while the lock was still held (for 20 s, well past what the command
        // needs): it did not wait for it, as it did before, until the holder let go.
        let state = try h.runner.run(["ps", "-o", "stat=", "-p", holder]).stdout.trimmingSpaces()
        #expect(!state.isEmpty && !state.hasPrefix("Z"), "the lock holder had let go: \(state)")
    }
}
