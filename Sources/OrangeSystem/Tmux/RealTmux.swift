import OrangeCore

/// `TmuxClient` over the tmux command line, on a private server (`tmux -L <socket>`) when a
/// socket name is given. Targets use `=name`, tmux's exact-match form.
public struct RealTmux: TmuxClient {
    let runner: any ProcessRunning
    public let socket: String?

    public init(runner: any ProcessRunning, socket: String?) {
        self.runner = runner
        self.socket = socket
    }

    var prefix: [String] { ["tmux"] + (socket.map { ["-L", $0] } ?? []) }

    private func tmux(_ arguments: [String]) throws -> ProcessResult {
        try runner.run(prefix + arguments, environment: [:], input: nil, timeoutSeconds: 30)
    }

    @discardableResult
    private func check(_ arguments: [String]) throws -> String {
        let result = try tmux(arguments)
        guard result.succeeded else { throw ProcessError.failed(result) }
        return result.stdout
    }

    public func hasSession(_ name: String) -> Bool {
        (try? tmux(["has-session", "-t", "=" + name]))?.succeeded ?? false
    }

    public func newSession(_ name: String, directory: String, command: [String], environment: [String: String]) throws {
        let env = environment.sorted { $0.key < $1.key }.flatMap { ["-e", "\($0.key)=\($0.value)"] }
        let directory = Self.escapedDirectory(directory)
        // Start a plain session, keep its pane after exit, then replace the shell with the
        // agent: tmux execs an argv given after `--` directly, without a shell, so the prompt
        // reaches the agent byte for byte.
        try check(["new-session", "-d", "-s", name, "-c", directory, "-x", "200", "-y", "50"] + env)
        do {
            try check(["set-option", "-t", "=" + name + ":", "remain-on-exit", "on"])
            try check(["respawn-pane", "-k", "-t", "=" + name + ":", "-c", directory] + env + ["--"] + Self.escapedCommand(command))
        } catch {
            try? killSession(name)
            throw error
        }
    }

    public func killSession(_ name: String) throws {
        let result = try tmux(["kill-session", "-t", "=" + name])
        if !result.succeeded && hasSession(name) { throw ProcessError.failed(result) }
    }

    public func listSessions() -> [String] {
        guard let result = try? tmux(["list-sessions", "-F", "#{session_name}"]), result.succeeded else { return [] }
        return result.stdout.split(separator: "\n").map(String.init)
    }

    public func sessionStates() -> [String: Bool] {
        guard let result = try? tmux(["list-panes", "-a", "-F", "#{pane_dead}#{session_name}"]), result.succeeded else { return [:] }
        var states: [String: Bool] = [:]
        // The flag comes first: a session name may hold any character but cannot start a line
        // with a flag digit we did not write.
        for line in result.stdout.split(separator: "\n") where !line.isEmpty {
            let name = String(line.dropFirst())
            states[name] = (states[name] ?? false) || line.first == "0"
        }
        return states
    }

    public func isPaneDead(_ name: String) -> Bool? {
        guard let result = try? tmux(["list-panes", "-t", "=" + name + ":", "-F", "#{pane_dead}"]), result.succeeded else { return nil }
        return result.stdout.split(separator: "\n").first == "1"
    }

    public func capturePane(_ name: String, lines: Int) -> String? {
        guard let result = try? tmux(["capture-pane", "-p", "-t", "=" + name + ":", "-S", "-\(lines)"]), result.succeeded else {
            return nil
        }
        return result.stdout
    }

    public func captureHistory(_ name: String, lines: Int) -> String? {
        let arguments = ["capture-pane", "-p", "-J", "-t", "=" + name + ":", "-S", "-\(max(1, lines))"]
        guard let result = try? tmux(arguments), result.succeeded else { return nil }
        return result.stdout
    }

    public func sendText(_ name: String, text: String) throws {
        // `-l`: the words are keys to type, never key names; a final `;` is escaped as in a command.
        try check(["send-keys", "-t", "=" + name + ":", "-l", "--"] + Self.escapedCommand(["-", text]).dropFirst())
        try check(["send-keys", "-t", "=" + name + ":", "Enter"])
    }

    public func panePIDs(_ name: String) -> [Int32] {
        guard let result = try? tmux(["list-panes", "-s", "-t", "=" + name, "-F", "#{pane_pid}"]), result.succeeded else { return [] }
        return result.stdout.split(separator: "\n").compactMap { Int32($0) }
    }

    public func attachCommand(_ name: String, insideTmux: Bool) -> [String] {
        prefix + (insideTmux ? ["switch-client", "-t", "=" + name] : ["attach-session", "-t", "=" + name])
    }

    /// tmux reads an argument that ends in `;` as the end of a command, even inside the argv
    /// after `--`, so a prompt ending in `;` could start a second tmux command (`run-shell …`).
    /// A final `\;` is passed on as `;`. A single word would be run through tmux's default shell,
    /// so it is handed to `sh` as data (`exec "$0"`), never parsed.
    static func escapedCommand(_ command: [String]) -> [String] {
        let argv = command.count == 1 ? ["/bin/sh", "-c", "exec \"$0\"", command[0]] : command
        return argv.map { $0.hasSuffix(";") ? String($0.dropLast()) + "\\;" : $0 }
    }

    /// tmux expands formats in `-c`, and `#(…)` runs a shell command; `##` is a literal `#`.
    static func escapedDirectory(_ directory: String) -> String {
        directory.replacing("#", with: "##")
    }
}
