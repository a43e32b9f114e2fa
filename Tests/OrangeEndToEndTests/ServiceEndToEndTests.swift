import OrangeCore
import OrangeSystem
import OrangeTestSupport
import Testing

/// `orange service install|uninstall|status` with the built binary, HOME and XDG_CONFIG_HOME in
/// the test's folder; the unit checked by `systemd-analyze verify` when it is installed.
@Suite struct ServiceEndToEndTests {
    static let hasSystemdAnalyze = FileSystem.findExecutable("systemd-analyze", searchPath: "/usr/bin:/bin:/usr/local/bin") != nil

    func environment(_ h: OrangeHarness) -> [String: String] {
        ["HOME": h.directory.path + "/user", "XDG_CONFIG_HOME": h.directory.path + "/config"]
    }

    @Test func installWritesTheUnitPrintShowsItStatusReportsItUninstallRemovesExactlyIt() throws {
        let h = try OrangeHarness()
        let env = environment(h)
        let userUnits = h.directory.path + "/config/systemd/user"
        // Another program's unit next to ours: uninstall must leave it.
        try FileSystem.makeDirectories(userUnits)
        try AtomicFile.write("[Service]\nExecStart=/bin/true\n", to: userUnits + "/other.service")

        let installed = try h.orange(["service", "install", "--json"], extraEnvironment: env)
        #expect(installed.exitCode == 0, "\(installed.stdout) \(installed.stderr)")
        let report = try JSONValue.parse(installed.stdout)
        // ORANGE_HOME is the harness's, not ~/orange: the unit is named after it.
        let name = "orange-watch-\(FNV1a.hex(h.home).prefix(8)).service"
        let file = userUnits + "/" + name
        #expect(report["unit"] == .string(name) && report["file"] == .string(file), "\(report)")
        #expect(report["systemctl"] != nil, "\(report)")
        if report["systemctl"] == "unavailable" { #expect(report["enabled"] == false) }
        let text = try FileSystem.readText(file)
        #expect(text.contains("ExecStart=\"\(FileSystem.realPath(OrangeHarness.binary) ?? OrangeHarness.binary)\" watch\n"), "\(text)")
        #expect(text.contains("Environment=\"ORANGE_HOME=\(h.home)\"\n"), "\(text)")
        #expect(text.contains("Restart=on-failure\n"))

        let printed = try h.orange(["service", "install", "--print"], extraEnvironment: env)
        #expect(printed.exitCode == 0 && printed.stdout == text, "\(printed.stdout)")

        let status = try JSONValue.parse(h.orange(["service", "status", "--json"], extraEnvironment: env).stdout)
        #expect(status["installed"] == true && status["unit"] == .string(name) && status["engine_running"] == false, "\(status)")

        let human = try h.orange(["service", "install"], extraEnvironment: env)
        #expect(human.exitCode == 0 && human.stdout.contains("Wrote \(file)"), "\(human.stdout)")

        let removed = try JSONValue.parse(h.orange(["service", "uninstall", "--json"], extraEnvironment: env).stdout)
        #expect(removed["removed"] == true, "\(removed)")
        #expect(!FileSystem.fileExists(file))
        #expect(try FileSystem.listDirectory(userUnits) == ["other.service"])
        let again = try JSONValue.parse(h.orange(["service", "uninstall", "--json"], extraEnvironment: env).stdout)
        #expect(again["removed"] == false, "\(again)")
        let after = try JSONValue.parse(h.orange(["service", "status", "--json"], extraEnvironment: env).stdout)
        #expect(after["installed"] == false, "\(after)")
    }

    @Test(.enabled(if: hasSystemdAnalyze, "systemd-analyze is not installed (Debian: apt-get install systemd)"))
    func systemdAcceptsTheUnitEvenForAHomeFullOfSpecialCharacters() throws {
        let h = try OrangeHarness()
        let home = h.directory.path + "/my home 100% \"$x\""
        var env = environment(h)
        env["ORANGE_HOME"] = home
        let installed = try JSONValue.parse(h.orange(["service", "install", "--json"], extraEnvironment: env).stdout)
        let file = try #require(installed["file"]?.stringValue, "\(installed)")
        // verify exits 0 even on lines it ignores: every complaint names the file, so none may.
        let verified = try h.runner.run(["systemd-analyze", "verify", file], environment: [:], input: nil, timeoutSeconds: 60)
        #expect(verified.exitCode == 0, "\(verified.stderr)")
        #expect(!verified.stderr.contains(file) && !verified.stdout.contains(file), "\(verified.stderr)")
    }

    @Test(.enabled(if: OrangeHarness.hasTmux, "needs tmux"))
    func taskWhySaysAReadyTaskWaitsForAnEngineWhenNoneRuns() throws {
        // A private tmux server, should anything start the task.
        let h = try OrangeHarness(tmux: true)
        defer { h.killTmuxServer() }
        let repo = try h.makeProject("coffee")
        try AtomicFile.write(#"{"harnesses": {"idle": {"command": ["sleep", "60"]}}}"#, to: h.home + "/config.json")
        let id = try #require(try h.task(["task", "create", "brew", "x", "--no-spawn", "--harness", "idle"], in: repo)["id"]?.stringValue)
        let why = try h.orange(["task", "why", id])
        #expect(why.stdout.contains("no engine runs for this ORANGE_HOME"), "\(why.stdout)")
        #expect(why.stdout.contains("'orange watch' or 'orange service install'"), "\(why.stdout)")
    }
}
