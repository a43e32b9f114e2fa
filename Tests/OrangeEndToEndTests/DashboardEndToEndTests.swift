import Glibc
import OrangeCore
import OrangeSystem
import OrangeTestSupport
import Testing

/// The real `orange` dashboard inside a private tmux server: keys go in with `send-keys`, the
/// screen comes back with `capture-pane`, and every wait has a deadline.
final class TerminalScreen {
    let socket = "orange-test-ui-\(UInt32.random(in: 0...UInt32.max))"
    let runner = ProcessRunner()
    let pidFile: String
    let harness: OrangeHarness

    /// Starts the dashboard (`orange` alone) in `directory`; the shell around it reports the exit
    /// code and whether the terminal is back in canonical mode.
    init(_ harness: OrangeHarness, in directory: String, width: Int = 100, height: Int = 30) throws {
        self.harness = harness
        pidFile = harness.directory.path + "/dashboard.pid"
        let env = harness.environment.map { "\($0.key)=\($0.value)" }.sorted()
        let script =
            #"sh -c 'echo $$ > "$0"; exec "$1"' "$PIDFILE" "$ORANGE"; echo "dashboard exit=$?"; stty -a | tr ' ' '\n' | grep -x -- '-\{0,1\}icanon'; sleep 600"#
        try runner.check(
            [
                "tmux", "-L", socket, "-f", "/dev/null", "new-session", "-d", "-s", "ui", "-x", "\(width)", "-y", "\(height)", "--",
                "env", "-C", directory,
            ] + env + ["PIDFILE=\(pidFile)", "ORANGE=\(OrangeHarness.binary)", "TERM=xterm-256color", "sh", "-c", script])
    }

    deinit { _ = try? runner.run(["tmux", "-L", socket, "kill-server"]) }

    func capture() -> String {
        (try? runner.run(["tmux", "-L", socket, "capture-pane", "-p", "-t", "ui"]))?.stdout ?? ""
    }

    func lines() -> [String] { capture().split(separator: "\n", omittingEmptySubsequences: false).map(String.init) }

    /// Sends tmux key names (`Enter`, `Tab`, `Escape`, `Home`) or single characters.
    func press(_ keys: String...) throws {
        try runner.check(["tmux", "-L", socket, "send-keys", "-t", "ui"] + keys)
    }

    func resize(width: Int, height: Int) throws {
        try runner.check(["tmux", "-L", socket, "resize-window", "-t", "ui", "-x", "\(width)", "-y", "\(height)"])
    }

    func type(_ text: String) throws {
        try runner.check(["tmux", "-L", socket, "send-keys", "-t", "ui", "-l", text])
    }

    /// Waits until some line satisfies `condition`; records the screen when it never does.
    @discardableResult
    func waitForLine(_ what: String, timeout: Double = 30, _ condition: (String) -> Bool) -> Bool {
        let clock = SystemClock()
        let deadline = clock.monotonicNanoseconds() + UInt64(timeout * 1e9)
        var screen = ""
        while clock.monotonicNanoseconds() < deadline {
            screen = capture()
            if screen.split(separator: "\n").contains(where: { condition(String($0)) }) { return true }
            usleep(50_000)  // a poll interval for the screen, not a wait for the outcome
        }
        Issue.record("timed out waiting for \(what); screen:\n\(screen)")
        return false
    }

    func waitForRow(_ name: String, _ status: String, timeout: Double = 30) {
        waitForLine("\(name) \(status)", timeout: timeout) { $0.contains(" \(name) ") && $0.contains(status) }
    }

    var dashboardPID: pid_t? {
        (try? FileSystem.readText(pidFile)).flatMap { pid_t($0.trimmingSpaces()) }
    }
}

@Suite(.serialized, .enabled(if: OrangeHarness.hasTmux, "needs tmux"))
struct DashboardEndToEndTests {
    @Test func chainRunsEndToEndUnderTheDashboardsOwnEngine() throws {
        let h = try OrangeHarness(tmux: true)
        defer { h.killTmuxServer() }
        try h.installScriptedAgent()
        let repo = try h.makeProject("coffee")
        let db = try #require(
            try h.task(["task", "create", "oauth-db", "schema", "--harness", "script", "--no-spawn"], in: repo)["id"]?.stringValue)
        let api = try #require(
            try h.task(["task", "create", "oauth-api", "endpoints", "--harness", "script", "--no-spawn", "--blocked-by", db], in: repo)[
                "id"]?.stringValue)
        let ui = try #require(
            try h.task(["task", "create", "oauth-ui", "button", "--harness", "script", "--no-spawn", "--blocked-by", api], in: repo)["id"]?
                .stringValue)

        let screen = try TerminalScreen(h, in: repo)
        screen.waitForLine("the header") { $0.contains("coffee") && $0.contains("engine: running") }
        screen.waitForLine("the blocked chain") { $0.contains("⟵ blocked by oauth-db") }
        // The dashboard's engine spawns the head; the agent commits one line and asks for review.
        screen.waitForRow("oauth-db", "reviewing", timeout: 60)
        screen.waitForLine("git figures for oauth-db") { $0.contains(" oauth-db ") && $0.contains(" 1 ") && $0.contains("+1 -0") }
        _ = try h.task(["task", "approve", db], in: repo)
        _ = try h.json(["task", "merge", db], in: repo)
        screen.waitForRow("oauth-db", "done")
        screen.waitForRow("oauth-api", "reviewing", timeout: 60)

        // The same through the keys: the task just put in review is the first row.
        try screen.press("Home")
        screen.waitForLine("oauth-api selected") { $0.hasPrefix("❯") && $0.contains("oauth-api") }
        try screen.press("a")
        screen.waitForRow("oauth-api", "reviewed")
        try screen.press("m")
        screen.waitForRow("oauth-api", "done", timeout: 60)
        screen.waitForRow("oauth-ui", "reviewing", timeout: 60)
        _ = try h.task(["task", "approve", ui], in: repo)
        _ = try h.json(["task", "merge", ui], in: repo)
        screen.waitForRow("oauth-ui", "done")
        #expect(try h.status(api) == "done")

        try screen.press("t")
        screen.waitForLine("the flat layout") { $0.contains("PARENT") }
        try screen.press("t")
        screen.waitForLine("the nested layout") { $0.contains("[nested · all]") }
        try screen.press("q")
        screen.waitForLine("a clean exit") { $0 == "dashboard exit=0" }
        screen.waitForLine("the terminal restored") { $0 == "icanon" }
    }

    @Test func delegationProgressCreateCancelWhileFollowingAnotherEngine() throws {
        let h = try OrangeHarness()
        let repo = try h.makeProject("coffee")
        // Stand in for a running 'orange watch': the dashboard must follow, not act.
        try FileSystem.makeDirectories(h.home)
        var standIn: SingleInstanceClaim? = try SingleInstanceClaim(names: DataDirectory(home: h.home).engineClaimNames())
        defer { withExtendedLifetime(standIn) {} }

        let parent = try #require(try h.task(["task", "create", "add-oauth", "Add OAuth", "--no-spawn"], in: repo)["id"]?.stringValue)
        var children: [String] = []
        for name in ["child-a", "child-b", "child-c"] {
            children.append(
                try #require(try h.task(["task", "create", name, "part", "--no-spawn", "--parent", parent], in: repo)["id"]?.stringValue))
        }
        _ = try h.json(["task", "update", parent, "--status", "working", "--as", "human"], in: repo)
        _ = try h.json(["task", "update", parent, "--status", "delegated", "--as", "agent"], in: repo)

        let screen = try TerminalScreen(h, in: repo)
        screen.waitForLine("following") { $0.contains("engine: followed (pid \(getpid()))") }
        screen.waitForRow("add-oauth", "delegated (0/3)")
        screen.waitForLine("a child nested under its parent") { $0.hasPrefix("    ○ child-a") || $0.hasPrefix("❯   ○ child-a") }
        try screen.press("t")
        screen.waitForLine("the parent column") { $0.contains(" child-b ") && $0.contains(" add-oauth ") && $0.contains("pending (ready)") }
        try screen.press("t")

        // A narrower terminal: the frame is redrawn at once, and the changes column goes first.
        try screen.resize(width: 60, height: 20)
        screen.waitForLine("the narrow layout") { $0.hasPrefix("  TASK") && $0.contains("COMMITS") && !$0.contains("CHANGES") }
        #expect(screen.lines().allSatisfy { TerminalText.width($0) <= 60 })
        try screen.resize(width: 100, height: 30)
        screen.waitForLine("the wide layout") { $0.contains("CHANGES") }

        try screen.press("c")
        screen.waitForLine("the create form") { $0.contains("New task in coffee") }
        try screen.type("child-d")
        try screen.press("Tab")
        try screen.type("after c")
        try screen.press("Tab")
        try screen.type("child-c")
        try screen.press("Enter")
        screen.waitForLine("the created task's blocker") { $0.contains("⟵ blocked by child-c (pending)") }

        // Agents edit their TASK.md directly (a rename-over save): no orange command runs, so
        // only an engine could complete the parent, and the stand-in holding the claim does not.
        for (index, child) in children.enumerated() {
            let file = "\(h.home)/tasks/coffee/\(child)/TASK.md"
            let text = try FileSystem.readText(file)
            try AtomicFile.write(text.replacingFirst("status: pending", with: "status: done"), to: file)
            screen.waitForRow("add-oauth", "delegated (\(index + 1)/3)")
        }
        // Nobody completes the parent while the stand-in holds the claim; the new task is ready.
        screen.waitForRow("child-d", "pending (ready)")

        // child-d, the most recently updated unfinished task, is the first row.
        try screen.press("Home")
        screen.waitForLine("child-d selected") { $0.hasPrefix("❯") && $0.contains("child-d") }
        try screen.press("x")
        screen.waitForLine("the question") { $0.contains("Cancel task child-d") && $0.hasSuffix("y/n") }
        try screen.press("y")
        screen.waitForRow("child-d", "cancelled")

        // The real engine takes over for one pass: the parent completes, the dashboard shows it.
        standIn = nil
        let once = try h.orange(["watch", "--once"], in: repo)
        #expect(once.exitCode == 0, "\(once.stderr)")
        screen.waitForRow("add-oauth", "done")

        let pid = try #require(screen.dashboardPID)
        #expect(kill(pid, SIGTERM) == 0)
        screen.waitForLine("a clean exit on SIGTERM") { $0 == "dashboard exit=0" }
        screen.waitForLine("the terminal restored") { $0 == "icanon" }
    }

    @Test func jsonPrintsTheRowsWithoutATerminal() throws {
        let h = try OrangeHarness()
        let repo = try h.makeProject("coffee")
        let parent = try #require(try h.task(["task", "create", "add-oauth", "Add OAuth", "--no-spawn"], in: repo)["id"]?.stringValue)
        _ = try h.task(["task", "create", "child-a", "part", "--no-spawn", "--parent", parent], in: repo)
        let json = try h.json(["dashboard", "--flat"], in: repo)
        let rows = json["rows"]?.arrayValue ?? []
        #expect(rows.count == 2)
        #expect(
            rows.contains {
                $0["name"]?.stringValue == "child-a" && $0["parent"]?.stringValue == "add-oauth"
                    && $0["label"]?.stringValue == "pending (ready)"
            })
        #expect(json["pool"]?["total"]?.intValue == 2)
        let plain = try h.orange(["dashboard"], in: repo)
        #expect(plain.exitCode == 1)
        #expect(plain.stderr.contains("the dashboard needs a terminal"))
        // 'orange' alone without a terminal prints the help rather than opening the dashboard.
        let help = try h.orange([], in: repo)
        #expect(help.exitCode == 0 && help.stdout.contains("dashboard"))
    }
}

extension String {
    func replacingFirst(_ target: String, with replacement: String) -> String {
        guard let range = firstRange(of: target) else { return self }
        return String(self[..<range.lowerBound]) + replacement + String(self[range.upperBound...])
    }
}
