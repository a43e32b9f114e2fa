/// The argv that starts an agent inside its tmux session, with its environment set exactly.
///
/// tmux (3.3a, and every version since 3.0) gives a new pane the `PATH` of the client that asked
/// for it, whatever `-e PATH=…` says, so an agent started by a plain `respawn-pane` cannot find the
/// `orange` that spawned it. The agent is therefore started through `env`, an argv wrapper: the
/// variables are arguments of their own and the program is an absolute path, so no shell ever
/// reads the command and tmux's PATH rule no longer matters.
public enum AgentLaunch {
    public struct Refusal: Error, Hashable, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// `[envProgram, "NAME=value"…, program, arguments…]`. The variables are sorted by name, so the
    /// same task always gets the same argv.
    ///
    /// `env` takes every argument holding `=` before the program as an assignment, so a program
    /// path with `=` cannot be passed through it and is refused rather than misread.
    public static func argv(
        envProgram: String, environment: [String: String], program: String, arguments: [String]
    ) throws(Refusal) -> [String] {
        guard program.hasPrefix("/"), !program.contains("=") else {
            throw Refusal(description: "the agent's program '\(program)' must be an absolute path without '='")
        }
        var argv = [envProgram]
        for (name, value) in environment.sorted(by: { $0.key < $1.key }) {
            guard isVariableName(name) else { throw Refusal(description: "invalid environment variable name '\(name)'") }
            argv.append(name + "=" + value)
        }
        return argv + [program] + arguments
    }

    /// The agent's PATH: orange's own folder first, then the rest without a second copy of it.
    public static func searchPath(orangeDirectory: String, inherited: String?) -> String {
        let rest = (inherited ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":", omittingEmptySubsequences: true)
            .filter { $0 != orangeDirectory }
        return ([orangeDirectory] + rest.map(String.init)).joined(separator: ":")
    }

    /// A short, stable name for one orange executable's path (64-bit FNV-1a in hex), so that each
    /// orange binary gets a folder of its own for the link agents find on their PATH.
    public static func executableKey(_ path: String) -> String { FNV1a.hex(path) }

    static func isVariableName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, !("0"..."9").contains(first) else { return false }
        return name.unicodeScalars.allSatisfy {
            ("A"..."Z").contains($0) || ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_"
        }
    }
}
