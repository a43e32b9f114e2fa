import OrangeCore
import OrangeSystem

extension Commands {
    /// `orange service install`: writes the systemd user unit that runs `orange watch` for this
    /// ORANGE_HOME (atomically), then enables and starts it when `systemctl --user` answers.
    /// `--print` only prints the unit.
    func serviceInstall() throws -> CommandResult {
        let unit = try serviceUnitText()
        let file = try serviceUnitFile()
        if invocation.flag("print") {
            return CommandResult(
                text: unit, json: .object([("unit", .string(serviceUnitName(file))), ("file", .string(file)), ("text", .string(unit))]))
        }
        try FileSystem.makeDirectories(FileSystem.parentDirectory(of: file), mode: 0o755)
        try AtomicFile.write(unit, to: file, mode: 0o644)
        var text = "Wrote \(file)\n"
        var fields: [(String, JSONValue)] = [("unit", .string(serviceUnitName(file))), ("file", .string(file))]
        if let unavailable = systemctlUnavailable() {
            text += "Note: systemctl --user is not available (\(unavailable)); the unit is written but not enabled.\n"
            text +=
                "Enable it where a user systemd runs: systemctl --user daemon-reload && systemctl --user enable --now \(serviceUnitName(file))\n"
            fields += [("systemctl", .string("unavailable")), ("reason", .string(unavailable)), ("enabled", .bool(false))]
        } else {
            let reload = try systemctl(["daemon-reload"])
            let enable = try systemctl(["enable", "--now", serviceUnitName(file)])
            let failed = [reload, enable].first { $0.exitCode != 0 }
            if let failed {
                let reason = failed.stderr.trimmingTrailingNewlines()
                text += "Note: '\(failed.argv.joined(separator: " "))' failed: \(reason); the unit is written but not enabled.\n"
                fields += [("systemctl", .string("failed")), ("reason", .string(reason)), ("enabled", .bool(false))]
            } else {
                text += "Enabled and started \(serviceUnitName(file)) (journalctl --user -u \(serviceUnitName(file)) shows its output).\n"
                fields += [("systemctl", .string("ok")), ("reason", .null), ("enabled", .bool(true))]
            }
        }
        return CommandResult(text: text, json: .object(fields))
    }

    /// `orange service uninstall`: stops and disables the unit when systemd answers, then removes
    /// exactly its file.
    func serviceUninstall() throws -> CommandResult {
        let file = try serviceUnitFile()
        let name = serviceUnitName(file)
        guard FileSystem.fileExists(file) else {
            return CommandResult(
                text: "Nothing to uninstall: \(file) does not exist.\n",
                json: .object([("unit", .string(name)), ("file", .string(file)), ("removed", .bool(false)), ("systemctl", .null)]))
        }
        var text = ""
        let reachable = systemctlUnavailable() == nil
        if reachable {
            let disable = try systemctl(["disable", "--now", name])
            if disable.exitCode != 0 {
                text += "Note: systemctl --user disable --now \(name): \(disable.stderr.trimmingTrailingNewlines())\n"
            }
        }
        try FileSystem.removeTree(file)
        if reachable { _ = try systemctl(["daemon-reload"]) }
        text += "Removed \(file)\n"
        return CommandResult(
            text: text,
            json: .object([("unit", .string(name)), ("file", .string(file)), ("removed", .bool(true)), ("systemctl", .bool(reachable))]))
    }

    /// `orange service status`: whether the unit file exists, what systemd says of it (when it
    /// answers), and whether an engine runs for this ORANGE_HOME (under systemd or not).
    func serviceStatus() throws -> CommandResult {
        let file = try serviceUnitFile()
        let name = serviceUnitName(file)
        let installed = FileSystem.fileExists(file)
        var active: String?
        let unavailable = systemctlUnavailable()
        if unavailable == nil { active = try systemctl(["is-active", name]).stdout.trimmingTrailingNewlines() }
        let engine = try EngineLock.runningEngine(home: context.home)
        var text = installed ? "Unit \(name): installed (\(file))\n" : "Unit \(name): not installed (\(file) does not exist)\n"
        text += active.map { "systemd: \($0)\n" } ?? "systemd: not reachable (\(unavailable ?? "unknown"))\n"
        text +=
            engine.map { "Engine: running for \(context.home) (\(EngineLock.describe($0)))\n" } ?? "Engine: none runs for \(context.home)\n"
        var fields: [(String, JSONValue)] = [("unit", .string(name)), ("file", .string(file)), ("installed", .bool(installed))]
        fields.append(("systemd", active.map { .string($0) } ?? .null))
        fields.append(("engine_running", .bool(engine != nil)))
        fields.append(("engine_pid", engine?.pid.map { .int(Int64($0)) } ?? .null))
        return CommandResult(text: text, json: .object(fields))
    }

    private func serviceUnitText() throws -> String {
        let executable = context.realPath(context.processes.executablePath) ?? context.processes.executablePath
        do {
            return try ServiceUnit.text(
                executable: executable, home: context.home, tmuxSocket: context.environment["ORANGE_TMUX_SOCKET"],
                path: context.environment["PATH"])
        } catch {
            throw OrangeError("cannot write the unit: \(error.description)")
        }
    }

    /// `$XDG_CONFIG_HOME/systemd/user/<name>` (default `~/.config/systemd/user/<name>`).
    private func serviceUnitFile() throws -> String {
        guard let home = context.environment["HOME"], home.hasPrefix("/") else { throw OrangeError("HOME is not set") }
        let config = context.environment["XDG_CONFIG_HOME"].flatMap { $0.hasPrefix("/") ? $0 : nil } ?? home + "/.config"
        let defaultHome = DataDirectory.from(environment: ["HOME": home]).home
        return config + "/systemd/user/" + ServiceUnit.fileName(home: context.home, defaultHome: defaultHome)
    }

    private func serviceUnitName(_ file: String) -> String {
        String(file.split(separator: "/").last ?? "")
    }

    /// Why `systemctl --user` cannot be used here (no systemctl, no user manager: containers, CI),
    /// or nil when it answers.
    private func systemctlUnavailable() -> String? {
        guard context.processes.locateProgram("systemctl", context.environment["PATH"] ?? "/usr/bin:/bin") != nil else {
            return "systemctl is not on PATH"
        }
        guard let probe = try? systemctl(["show-environment"]) else { return "systemctl could not be started" }
        guard probe.exitCode == 0 else {
            let reason = probe.stderr.trimmingTrailingNewlines()
            return reason.isEmpty ? "exit status \(probe.exitCode)" : reason
        }
        return nil
    }

    private func systemctl(_ arguments: [String]) throws -> ProcessResult {
        try context.processes.runner.run(["systemctl", "--user"] + arguments, environment: [:], input: nil, timeoutSeconds: 30)
    }
}

extension String {
    fileprivate func trimmingTrailingNewlines() -> String {
        var text = self
        while text.last == "\n" || text.last == "\r" || text.last == "\r\n" { text.removeLast() }
        return text
    }
}
