import OrangeCore
import OrangeSystem
import OrangeTestSupport
import Testing

/// What `orange watch --json` says about edits (issue 12, item 9).
@Suite(.serialized, .enabled(if: OrangeHarness.hasTmux, "needs tmux"))
struct WatchReportsEndToEndTests {
    /// The first JSON line of watch.log that `matches`, polled for up to `seconds`.
    static func waitForEvent(_ h: OrangeHarness, seconds: Double = 10, _ matches: (JSONValue) -> Bool) throws -> JSONValue? {
        let clock = SystemClock()
        let deadline = clock.monotonicNanoseconds() + UInt64(seconds * 1e9)
        while true {
            for line in h.watchLog.split(separator: "\n") {
                if let event = try? JSONValue.parse(String(line)), matches(event) { return event }
            }
            if clock.monotonicNanoseconds() > deadline { return nil }
            _ = try h.runner.run(["sleep", "0.05"])  // a poll interval, not a wait for the outcome
        }
    }

    static func milliseconds(_ value: JSONValue?) -> Double? {
        switch value {
        case .int(let v)?: Double(v)
        case .double(let v)?: v
        default: nil
        }
    }

    /// `chmod; sleep 2; sed -i` reported the whole pause as the edit's latency: the chmod's
    /// event, which changed nothing, was taken as the start of the change.
    @Test func latencyCountsFromTheEditNotFromAnEarlierChmod() throws {
        let h = try OrangeHarness(tmux: true)
        defer { h.killTmuxServer() }
        let repo = try h.makeProject("coffee")
        let id = try #require(
            try h.task(["task", "create", "oauth-db", "schema", "--status", "reviewing", "--no-spawn"], in: repo)["id"]?.stringValue)
        let pid = try h.startWatch(in: repo, arguments: ["--json"])
        defer { h.stopWatch(pid) }
        let path = "\(h.home)/tasks/coffee/\(id)/TASK.md"

        _ = try h.runner.check(["chmod", "0640", path])
        // The pause is the input (how long before the real edit), not a wait for an outcome.
        _ = try h.runner.run(["sleep", "1.5"])
        _ = try h.runner.check(["sed", "-i", "s/^status: reviewing$/status: done/", path])

        let event = try Self.waitForEvent(h) { $0["event"]?.stringValue == "status" && $0["id"]?.stringValue == id }
        let latency = try #require(Self.milliseconds(event?["latency_ms"] ?? nil), "no status event with a latency: \(h.watchLog)")
        #expect(event?["to"]?.stringValue == "done")
        #expect(latency < 1000, "latency \(latency) ms includes the pause after the chmod: \(h.watchLog)")
    }

    /// A file broken by hand, then put back: the warning is cleared by a line of its own, and
    /// both are in orange.log.
    @Test func aFileFixedBackToItsLastGoodContentIsReportedValidAgain() throws {
        let h = try OrangeHarness(tmux: true)
        defer { h.killTmuxServer() }
        let repo = try h.makeProject("coffee")
        let id = try #require(
            try h.task(["task", "create", "oauth-db", "schema", "--status", "reviewing", "--no-spawn"], in: repo)["id"]?.stringValue)
        let pid = try h.startWatch(in: repo, arguments: ["--json"])
        defer { h.stopWatch(pid) }
        let path = "\(h.home)/tasks/coffee/\(id)/TASK.md"
        let good = try FileSystem.readText(path)

        try h.renameOverSave(id, project: "coffee") { $0.replacing("status: reviewing\n", with: "status: [reviewing\n") }
        let invalid = try Self.waitForEvent(h) { $0["event"]?.stringValue == "invalid" && $0["path"]?.stringValue == path }
        #expect(invalid != nil, "no invalid report: \(h.watchLog)")

        try h.renameOverSave(id, project: "coffee") { _ in good }
        let valid = try Self.waitForEvent(h) { $0["event"]?.stringValue == "valid" && $0["path"]?.stringValue == path }
        #expect(valid?["id"]?.stringValue == id, "no valid-again report: \(h.watchLog)")
        #expect(valid?["status"]?.stringValue == "reviewing")
        #expect(!h.watchLog.contains(#""event":"status""#), "the status never changed: \(h.watchLog)")

        let log = (try? FileSystem.readText(h.home + "/orange.log")) ?? ""
        let lines = log.split(separator: "\n").filter { $0.contains(#""component":"watch""#) && $0.contains(path) }
        #expect(lines.contains { $0.contains(#""level":"warn""#) && $0.contains("Task file invalid") }, "\(log)")
        #expect(lines.contains { $0.contains("Task file valid again") }, "\(log)")
    }

    /// The text output says it too.
    @Test func theTextOutputSaysAFileIsValidAgain() throws {
        let h = try OrangeHarness(tmux: true)
        defer { h.killTmuxServer() }
        let repo = try h.makeProject("coffee")
        let id = try #require(
            try h.task(["task", "create", "oauth-db", "schema", "--status", "reviewing", "--no-spawn"], in: repo)["id"]?.stringValue)
        let pid = try h.startWatch(in: repo)
        defer { h.stopWatch(pid) }
        let path = "\(h.home)/tasks/coffee/\(id)/TASK.md"
        let good = try FileSystem.readText(path)
        try h.renameOverSave(id, project: "coffee") { $0.replacing("status: reviewing\n", with: "status: [reviewing\n") }
        #expect(try h.orange(["watch", "sync", "--timeout", "10"]).exitCode == 0)
        #expect(h.watchLog.contains("! \(path):"), "\(h.watchLog)")
        try h.renameOverSave(id, project: "coffee") { _ in good }
        #expect(try h.orange(["watch", "sync", "--timeout", "10"]).exitCode == 0)
        // No wait: a sync is answered only once every earlier change was applied.
        #expect(h.watchLog.contains("\(path): valid again (oauth-db, reviewing)"), "\(h.watchLog)")
    }
}
