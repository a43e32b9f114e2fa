import OrangeCore
import OrangeSystem
import OrangeTestSupport
import Testing

/// Agents that cannot start and agents that die: neither may freeze a project's pool. Real
/// binary, real git with an origin, real tmux on a private socket.
@Suite(.serialized, .enabled(if: OrangeHarness.hasTmux, "needs tmux"))
struct AgentLifecycleEndToEndTests {
    /// Dies at once without reporting; with an argument, leaves that file uncommitted first.
    static let dyingAgent = "#!/bin/sh\n[ -n \"$1\" ] && echo unsaved > \"$1\"\nexit 3\n"

    func install(_ h: OrangeHarness) throws {
        try FileSystem.makeDirectories(h.home)
        try AtomicFile.write(sleepyAgent, to: h.directory.path + "/sleepy.sh", mode: 0o755)
        try AtomicFile.write(Self.dyingAgent, to: h.directory.path + "/dying.sh", mode: 0o755)
        try AtomicFile.write(
            #"""
            {"harnesses": {
              "sleepy": {"command": ["sh", "\#(h.directory.path)/sleepy.sh"]},
              "dying": {"command": ["sh", "\#(h.directory.path)/dying.sh"]},
              "messy": {"command": ["sh", "\#(h.directory.path)/dying.sh", "notes.txt"]},
              "absent": {"command": ["no-such-agent-program"]}
            }}
            """#, to: h.home + "/config.json")
    }

    func id(_ value: JSONValue) throws -> String { try #require(value["id"]?.stringValue) }

    /// Full passes (`watch --once`) until `condition` holds for the task, with a deadline.
    func passUntil(_ h: OrangeHarness, _ task: String, _ what: String, timeout: Double = 30, _ condition: (JSONValue) -> Bool) throws
        -> JSONValue
    {
        let clock = SystemClock()
        let deadline = clock.monotonicNanoseconds() + UInt64(timeout * 1e9)
        var last: JSONValue = .null
        while clock.monotonicNanoseconds() < deadline {
            _ = try h.orange(["watch", "--once"])
            last = try h.task(["task", "show", task])
            if condition(last) { return last }
            clock.sleep(milliseconds: 50)  // a poll interval, not a wait for the outcome
        }
        Issue.record("timed out waiting for \(task) to be \(what); last: \(last)")
        return last
    }

    @Test func readyTasksThatCannotStartNeverTakeTheTurnOfOneThatCan() throws {
        let h = try OrangeHarness(tmux: true)
        defer { h.killTmuxServer() }
        try install(h)
        let repo = try h.makeProject("coffee", poolSize: 2)
        let absent = try ["one", "two"].map { try id(h.task(["task", "create", $0, "x", "--harness", "absent"], in: repo)) }
        let created = try h.orange(["task", "create", "three", "y", "--harness", "sleepy", "--json"], in: repo)
        #expect(created.exitCode == 0)
        let third = try id(try #require(JSONValue.parse(created.stdout)["task"]))
        #expect(try h.status(third) == "working", "a task that can start waited behind two that cannot")
        for task in absent { #expect(try h.status(task) == "pending") }
        // `task why` tells the real reason, not a full pool.
        let why = try h.json(["task", "why", absent[0]])["explanation"]?.arrayValue?.compactMap(\.stringValue) ?? []
        #expect(why.contains { $0.contains("not installed") }, "\(why)")
        #expect(!why.contains { $0.contains("waits for a free workspace slot") }, "\(why)")
        // Said once per task and cause, not at every pass; as JSON under --json.
        let passes = try (0..<3).map { _ in try h.orange(["watch", "--once", "--json"]) }
        #expect(passes.allSatisfy { !$0.stderr.contains(absent[0]) }, "\(passes.map(\.stderr))")
        // A new cause is said again, once.
        try AtomicFile.write(
            #"{"harnesses": {"sleepy": {"command": ["sh", "\#(h.directory.path)/sleepy.sh"]}, "absent": {"command": ["still-no-such-program"]}}}"#,
            to: h.home + "/config.json")
        let warned = try h.orange(["watch", "--once", "--json"])
        let warnings = warned.stderr.split(separator: "\n").compactMap { try? JSONValue.parse(String($0)) }
        #expect(
            warnings.count == 2 && warnings.allSatisfy { $0["warning"]?.stringValue?.contains("still-no-such-program") == true },
            "\(warned.stderr)")
        #expect(try h.orange(["watch", "--once", "--json"]).stderr.isEmpty)
    }

    @Test func anAgentThatDiesIsRespawnedOnceThenStuckAndItsSlotFreed() throws {
        let h = try OrangeHarness(tmux: true)
        defer { h.killTmuxServer() }
        try install(h)
        let repo = try h.makeProject("coffee", poolSize: 1)
        let task = try id(h.task(["task", "create", "fragile", "x", "--harness", "dying"], in: repo))
        let waiting = try id(h.task(["task", "create", "next", "y", "--harness", "sleepy"], in: repo))
        #expect(try h.status(waiting) == "pending")
        let respawned = try passUntil(h, task, "respawned once") { $0["agent_crashes"] == 1 }
        #expect(respawned["status"] == "working" && respawned["workspace"] == "coffee--1", "\(respawned)")
        let stuck = try passUntil(h, task, "stuck") { $0["status"] == "stuck" }
        #expect(stuck["agent_crashes"] == 2 && stuck["workspace"] == .null && stuck["tmux_session"] == .null, "\(stuck)")
        #expect(stuck["last_error"]?.stringValue?.contains("a person must look") == true)
        // The freed slot went to the task that waited.
        #expect(try h.status(waiting) == "working")
        let history = try FileSystem.readText(h.home + "/tasks/coffee/\(task)/history.jsonl")
        #expect(history.split(separator: "\n").filter { $0.contains("\"agent.died\"") }.count == 2, "\(history)")
        #expect(history.contains("\"to\":\"stuck\""), "\(history)")
    }

    @Test func aStuckAgentsUncommittedWorkKeepsItsWorkspace() throws {
        let h = try OrangeHarness(tmux: true)
        defer { h.killTmuxServer() }
        try install(h)
        let repo = try h.makeProject("coffee", poolSize: 1)
        let task = try id(h.task(["task", "create", "messy", "x", "--harness", "messy"], in: repo))
        let stuck = try passUntil(h, task, "stuck") { $0["status"] == "stuck" }
        #expect(stuck["workspace"] == "coffee--1", "\(stuck)")
        #expect(stuck["last_error"]?.stringValue?.contains("uncommitted work") == true, "\(stuck)")
        #expect(FileSystem.fileExists(h.home + "/workspaces/coffee--1/notes.txt"))
    }

    @Test func aFailedSpawnIsRetriedOnlyAfterItsDelay() throws {
        let h = try OrangeHarness(tmux: true)
        defer { h.killTmuxServer() }
        try install(h)
        let repo = try h.makeProject("coffee", poolSize: 2)
        // The user's own checkout is on the task's branch: git refuses it in a worktree.
        try h.runner.check(["git", "-C", repo, "checkout", "-q", "-b", "taken"])
        let task = try id(h.task(["task", "create", "taken", "x", "--harness", "sleepy"], in: repo))
        var shown = try h.task(["task", "show", task])
        #expect(shown["status"] == "pending" && shown["spawn_failures"] == 1 && shown["spawn_retry_at"] != .null, "\(shown)")
        // Passes right after the failure leave it alone.
        for _ in 0..<3 { _ = try h.orange(["watch", "--once"]) }
        shown = try h.task(["task", "show", task])
        #expect(shown["status"] == "pending" && shown["spawn_failures"] == 1, "retried at once: \(shown)")
        let why = try h.json(["task", "why", task])["explanation"]?.arrayValue?.compactMap(\.stringValue) ?? []
        #expect(why.contains { $0.contains("tried again from") }, "\(why)")
        // Once the delay is over (the time moved back by hand), the next pass tries again.
        let file = h.home + "/tasks/coffee/\(task)/TASK.md"
        let text = try FileSystem.readText(file)
        try AtomicFile.write(
            text.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.hasPrefix("spawn_retry_at:") }.joined(
                separator: "\n"), to: file)
        _ = try h.orange(["watch", "--once"])
        #expect(try h.status(task) == "failed")
    }
}
