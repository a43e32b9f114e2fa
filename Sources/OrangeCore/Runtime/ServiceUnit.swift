/// The systemd user unit that runs `orange watch` as a service (`orange service install`): pure
/// text from the values the installing command knows, so every quoting rule is testable.
public enum ServiceUnit {
    /// The unit's file name: `orange-watch.service` for the default data folder (`~/orange`),
    /// `orange-watch-<8 hex of FNV-1a of the home>.service` for any other, so two homes can each
    /// run their own engine (docs/decisions.md).
    public static func fileName(home: String, defaultHome: String) -> String {
        guard trimmed(home) != trimmed(defaultHome) else { return "orange-watch.service" }
        return "orange-watch-\(FNV1a.hex(trimmed(home)).prefix(8)).service"
    }

    /// A value systemd cannot carry in a unit line.
    public struct Unrepresentable: Error, Equatable, CustomStringConvertible {
        public let description: String
    }

    /// The unit text. `executable` must be absolute (systemd requires it); `path` becomes the
    /// engine's `PATH`, so the agents, git and tmux it starts are the ones the user has.
    public static func text(executable: String, home: String, tmuxSocket: String?, path: String?) throws(Unrepresentable) -> String {
        guard executable.hasPrefix("/") else { throw Unrepresentable(description: "the executable path '\(executable)' is not absolute") }
        var environment = [("ORANGE_HOME", home)]
        if let tmuxSocket, !tmuxSocket.isEmpty { environment.append(("ORANGE_TMUX_SOCKET", tmuxSocket)) }
        if let path, !path.isEmpty { environment.append(("PATH", path)) }
        var lines = [
            "# Written by 'orange service install'; 'orange service uninstall' removes it.",
            "[Unit]",
            "Description=orange engine (orange watch) for \(try escaped(home, dollars: false))",
            "",
            "[Service]",
            "Type=simple",
            "ExecStart=\(try quoted(executable, dollars: true)) watch",
            "Restart=on-failure",
            "RestartSec=2",
        ]
        for (name, value) in environment { lines.append("Environment=\(try quoted("\(name)=\(value)", dollars: false))") }
        lines += [
            // orange writes its own orange.log under ORANGE_HOME; stdout and stderr go to the journal.
            "StandardOutput=journal",
            "StandardError=journal",
            "",
            "[Install]",
            "WantedBy=default.target",
        ]
        return lines.joined(separator: "\n") + "\n"
    }

    /// A double-quoted word for `ExecStart=` or `Environment=`: `\` and `"` backslash-escaped,
    /// `%` doubled (specifiers are expanded in both), `$` doubled only in `ExecStart=` (where
    /// systemd expands variables; `Environment=` takes `$` literally).
    static func quoted(_ value: String, dollars: Bool) throws(Unrepresentable) -> String {
        var out = "\""
        for character in try escaped(value, dollars: dollars) {
            if character == "\\" || character == "\"" { out.append("\\") }
            out.append(character)
        }
        return out + "\""
    }

    /// `%` → `%%` and, when asked, `$` → `$$`; a line break or other control cannot be written.
    static func escaped(_ value: String, dollars: Bool) throws(Unrepresentable) -> String {
        var out = ""
        for character in value {
            if character.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
                throw Unrepresentable(
                    description: "'\(TerminalSafe.inline(value))' holds a control character, which a unit file cannot carry")
            }
            if character == "%" { out.append("%") }
            if character == "$" && dollars { out.append("$") }
            out.append(character)
        }
        return out
    }

    private static func trimmed(_ path: String) -> String {
        path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
    }
}
