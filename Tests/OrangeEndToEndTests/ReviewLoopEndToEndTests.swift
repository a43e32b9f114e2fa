import OrangeCore
import OrangeSystem
import OrangeTestSupport
import Testing

/// An agent that reports for review, then waits for requests typed into its session: each line
/// typed is recorded and answered by a new report. Every prompt it starts with is recorded.
let reviewAgent = """
    #!/bin/sh
    printf '%s\\n---\\n' "$1" >> "$ORANGE_HOME/../prompts-$ORANGE_TASK_ID.txt"
    echo "agent started for $ORANGE_TASK_ID"
    orange task update --status reviewing
    while IFS= read -r line; do
      printf '%s\\n' "$line" >> "$ORANGE_HOME/../typed-$ORANGE_TASK_ID.txt"
      orange task update --status reviewing
    done
    exec sleep 3600

    """

/// Prints numbered lines, one a moment apart, then exits without reporting.
let talkingAgent = "#!/bin/sh\nfor n in 1 2 3 4 5; do echo \"talk line $n\"; sleep 0.3; done\n"

extension OrangeHarness {
    func installReviewAgents(extraConfig: String = "") throws {
        try FileSystem.makeDirectories(home)
        try AtomicFile.write(reviewAgent, to: directory.path + "/review.sh", mode: 0o755)
        try AtomicFile.write(talkingAgent, to: directory.path + "/talk.sh", mode: 0o755)
        try AtomicFile.write(
            #"""
            {"harnesses": {
              "review": {"command": ["sh", "\#(directory.path)/review.sh", "{prompt}"]},
              "talk": {"command": ["sh", "\#(directory.path)/talk.sh"]}
            }\#(extraConfig)}
            """#, to: home + "/config.json")
    }

    func text(_ name: String) -> String { (try? FileSystem.readText(directory.path + "/" + name)) ?? "" }

    /// Polls (with a deadline) until `condition` holds.
    func eventually(_ what: String, timeout: Double = 30, _ condition: () throws -> Bool) throws {
        let clock = SystemClock()
        let deadline = clock.monotonicNanoseconds() + UInt64(timeout * 1e9)
        while clock.monotonicNanoseconds() < deadline {
            if try condition() { return }
            clock.sleep(milliseconds: 50)  // a poll interval, not a wait for the outcome
        }
        Issue.record("timed out waiting for \(what)")
    }

    func historyTypes(_ id: String, project: String) -> [String] {
        ((try? FileSystem.readText("\(home)/tasks/\(project)/\(id)/history.jsonl")) ?? "").split(separator: "\n").compactMap {
            (try? JSONValue.parse(String($0)))?["type"]?.stringValue
        }
    }
}

@Suite(.serialized, .enabled(if: OrangeHarness.hasTmux, "needs tmux"))
struct ReviewLoopEndToEndTests {
    @Test func requestedChangesAreWrittenTypedIntoTheLiveAgentAndCarriedByARespawn() throws {
        let h = try OrangeHarness(tmux: true)
        defer { h.killTmuxServer() }
        try h.installReviewAgents()
        let repo = try h.makeProject("coffee")
        let id = try #require(try h.task(["task", "create", "tabs", "indent", "--harness", "review"], in: repo)["id"]?.stringValue)
        _ = try h.waitFor(id, "reviewing") { $0["status"] == "reviewing" }

        // Round 1: the agent runs, so the request is typed into its session.
        let first = try h.json(["task", "request-changes", id, "use", "tabs; not spaces"])
        #expect(first["review_round"] == 1 && first["delivered"] == "typed", "\(first)")
        // The task as the request left it: back to working.
        #expect(first["task"]?["id"]?.stringValue == id && first["task"]?["status"] == "working", "\(first)")
        try h.eventually("the request typed into the agent") { h.text("typed-\(id).txt").contains("use tabs; not spaces") }
        _ = try h.waitFor(id, "reviewing again") { $0["status"] == "reviewing" }

        // Round 2, from stdin, several lines: one line typed, both kept in TASK.md.
        let second = try h.orange(["task", "request-changes", id, "--message", "-", "--json"], input: "rename x\nto count\n")
        #expect(second.exitCode == 0, "\(second.stderr)")
        #expect(try JSONValue.parse(second.stdout)["review_round"] == 2)
        try h.eventually("round 2 typed") { h.text("typed-\(id).txt").contains("rename x to count") }
        _ = try h.waitFor(id, "reviewing again") { $0["status"] == "reviewing" }

        // Round 3 with the session gone: a new agent starts with the request in its prompt.
        let session = try #require(try h.task(["task", "show", id])["tmux_session"]?.stringValue)
        try h.runner.check(["tmux", "-L", h.tmuxSocket!, "kill-session", "-t", "=" + session])
        let third = try h.json(["task", "request-changes", id, "add a test for the empty list"])
        #expect(third["review_round"] == 3 && third["delivered"] == "respawned", "\(third)")
        // Read after the respawn: the new agent's session.
        #expect(third["task"]?["tmux_session"]?.stringValue != nil, "\(third)")
        try h.eventually("the respawned agent's prompt") { h.text("prompts-\(id).txt").contains("add a test for the empty list") }
        #expect(h.text("prompts-\(id).txt").contains("review round 3"), "\(h.text("prompts-\(id).txt"))")

        let body = try FileSystem.readText("\(h.home)/tasks/coffee/\(id)/TASK.md")
        #expect(body.split(separator: "## Review\n", omittingEmptySubsequences: false).count == 2, "\(body)")
        for round in 1...3 { #expect(body.contains("### Round \(round) ("), "\(body)") }
        #expect(body.contains("rename x\nto count"), "\(body)")
        let history = try FileSystem.readText("\(h.home)/tasks/coffee/\(id)/history.jsonl")
        #expect(history.split(separator: "\n").filter { $0.contains("\"review.changes_requested\"") }.count == 3, "\(history)")
        #expect(
            history.contains("\"from\":\"reviewing\",\"to\":\"working\",\"by\":\"human\",\"cause\":\"changes requested\""), "\(history)")

        // Only a task in review takes a request, and a request says something.
        _ = try h.waitFor(id, "reviewing") { $0["status"] == "reviewing" }
        _ = try h.json(["task", "approve", id])
        #expect(try h.json(["task", "request-changes", id, "from reviewed too"])["review_round"] == 4)
        let pending = try #require(try h.task(["task", "create", "later", "y", "--no-spawn"], in: repo)["id"]?.stringValue)
        let refused = try h.orange(["task", "request-changes", pending, "again"])
        #expect(refused.exitCode == 1 && refused.stderr.contains("is pending"), "\(refused.stderr)")
        #expect(try h.orange(["task", "request-changes", id]).exitCode == 2)
        #expect(try h.orange(["task", "request-changes", "--help"]).stdout.contains("## Review"))
    }

    @Test func taskLogShowsThePaneAndFollowsItUntilTheAgentExits() throws {
        let h = try OrangeHarness(tmux: true)
        defer { h.killTmuxServer() }
        try h.installReviewAgents()
        let repo = try h.makeProject("coffee")
        let id = try #require(try h.task(["task", "create", "talk", "x", "--harness", "talk"], in: repo)["id"]?.stringValue)
        // Follows from the start to the agent's exit: every line once, in order.
        let followed = try h.orange(["task", "log", id, "-f"])
        #expect(followed.exitCode == 0, "\(followed.stderr)")
        let talk = followed.stdout.split(separator: "\n").map(String.init).filter { $0.hasPrefix("talk line") }
        #expect(talk == (1...5).map { "talk line \($0)" }, "\(followed.stdout)")
        // Afterwards, the last lines, as JSON too.
        let json = try h.json(["task", "log", id, "--lines", "10"])
        #expect(json["task"]?["id"]?.stringValue == id && json["session"]?.stringValue != nil, "\(json)")
        let lines = json["lines"]?.arrayValue?.compactMap(\.stringValue) ?? []
        // Without tmux's "Pane is dead (…)" line and the empty screen above it.
        #expect(lines.suffix(2) == ["talk line 4", "talk line 5"], "\(lines)")
        #expect(try h.json(["task", "log", id, "-n", "1"])["lines"]?.arrayValue?.count == 1)
        // -f under --json: one envelope a line, each with the task object.
        let followedJSON = try h.orange(["task", "log", id, "-f", "--json"])
        let envelopes = try followedJSON.stdout.split(separator: "\n").map { try JSONValue.parse(String($0)) }
        #expect(!envelopes.isEmpty, "\(followedJSON.stdout) \(followedJSON.stderr)")
        for envelope in envelopes {
            #expect(envelope["schema"]?.intValue == JSONEnvelope.schema && envelope["task"]?["id"]?.stringValue == id, "\(envelope)")
        }
        let followedLines = envelopes.flatMap { $0["lines"]?.arrayValue?.compactMap(\.stringValue) ?? [] }
        #expect(followedLines.suffix(2) == ["talk line 4", "talk line 5"], "\(followedLines)")
        #expect(try h.orange(["task", "log", "--help"]).stdout.contains("--follow"))
        // No session, no log: said plainly.
        let other = try #require(
            try h.task(["task", "create", "later", "y", "--no-spawn", "--harness", "talk"], in: repo)["id"]?.stringValue)
        let refused = try h.orange(["task", "log", other])
        #expect(refused.exitCode == 1 && refused.stderr.contains("has no agent session"), "\(refused.stderr)")
    }

    @Test func logFollowKeepsReadingAcrossARotation() throws {
        let h = try OrangeHarness()
        try FileSystem.makeDirectories(h.home)
        let log = h.home + "/orange.log"
        let entry = { (msg: String) in #"{"ts":"2026-12-04T05:00:00.000Z","level":"warn","component":"test","msg":"\#(msg)"}"# + "\n" }
        try AtomicFile.write(entry("before"), to: log)
        let output = h.directory.path + "/follow.out"
        let script =
            "\(ShellQuoting.quote(OrangeHarness.binary)) log -f --component test > \(ShellQuoting.quote(output)) 2>&1 & echo $!"
        let pid = try h.runner.check(["sh", "-c", script], environment: h.environment).stdout.trimmingSpaces()
        defer { _ = try? h.runner.run(["kill", "-TERM", pid]) }
        // The same under --json: one envelope a line.
        let jsonScript =
            "\(ShellQuoting.quote(OrangeHarness.binary)) log -f --component test --json > \(ShellQuoting.quote(output + ".json")) 2>&1 & echo $!"
        let jsonPID = try h.runner.check(["sh", "-c", jsonScript], environment: h.environment).stdout.trimmingSpaces()
        defer { _ = try? h.runner.run(["kill", "-TERM", jsonPID]) }
        try h.eventually("the existing line") { h.text("follow.out").contains("before") && h.text("follow.out.json").contains("before") }
        // Appended, then rotated with a line the follower had not read yet, then a new file.
        try h.runner.check(["sh", "-c", "printf '%s' \"$1\" >> \"$2\"", "-", entry("appended"), log])
        try h.eventually("the appended line") {
            h.text("follow.out").contains("appended") && h.text("follow.out.json").contains("appended")
        }
        try h.runner.check(["sh", "-c", "printf '%s' \"$1\" >> \"$2\"", "-", entry("last of the old file"), log])
        try FileSystem.rename(log, to: log + ".1")
        try AtomicFile.write(entry("first of the new file"), to: log)
        try h.eventually("both sides of the rotation") {
            h.text("follow.out").contains("last of the old file") && h.text("follow.out").contains("first of the new file")
        }
        let lines = h.text("follow.out").split(separator: "\n")
        #expect(lines.count == 4 && lines.allSatisfy { $0.contains("WARN [test]") }, "\(lines)")
        try h.eventually("the JSON follower's four lines") { h.text("follow.out.json").split(separator: "\n").count == 4 }
        let envelopes = h.text("follow.out.json").split(separator: "\n").map { try? JSONValue.parse(String($0)) }
        let messages = envelopes.map { $0?["entries"]?.arrayValue?.first?["msg"]?.stringValue }
        #expect(messages == ["before", "appended", "last of the old file", "first of the new file"], "\(h.text("follow.out.json"))")
        #expect(envelopes.allSatisfy { $0?["schema"]?.intValue == JSONEnvelope.schema && $0?["entries"]?.arrayValue?.count == 1 })
    }
}
