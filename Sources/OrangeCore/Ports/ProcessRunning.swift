/// The outcome of running a program to completion.
public struct ProcessResult: Sendable, Hashable {
    public var argv: [String]
    /// The exit status, or 128 + signal number when the process was killed by a signal.
    public var exitCode: Int32
    public var stdout: String
    public var stderr: String
    public var timedOut: Bool

    public init(argv: [String], exitCode: Int32, stdout: String, stderr: String, timedOut: Bool = false) {
        self.argv = argv
        self.exitCode = exitCode
        self.stdout = stdout
        self.stderr = stderr
        self.timedOut = timedOut
    }

    public var succeeded: Bool { exitCode == 0 && !timedOut }

    /// The command line as a person would type it, for error messages.
    public var commandLine: String { ShellQuoting.commandLine(argv) }
}

public enum ProcessError: Error, Sendable, CustomStringConvertible {
    /// The program could not be started (not found, not executable).
    case spawnFailed(argv: [String], errno: Int32, reason: String)
    /// It ran and failed.
    case failed(ProcessResult)

    public var description: String {
        switch self {
        case .spawnFailed(let argv, _, let reason):
            return "could not run \(ShellQuoting.commandLine(argv)): \(reason)"
        case .failed(let r):
            let detail =
                r.stderr.trimmingTrailingNewlines().isEmpty ? r.stdout.trimmingTrailingNewlines() : r.stderr.trimmingTrailingNewlines()
            let how = r.timedOut ? "timed out" : "exited with status \(r.exitCode)"
            return "\(r.commandLine) \(how)" + (detail.isEmpty ? "" : ": \(detail)")
        }
    }
}

/// Runs programs from an argv array (never a shell string).
public protocol ProcessRunning: Sendable {
    /// Runs `argv[0]` (looked up in PATH) with the arguments, waits for it, and returns what it
    /// printed. `environment` adds to or overrides the inherited environment. A non-zero exit is
    /// returned, not thrown; `spawnFailed` is thrown when the program cannot start.
    func run(_ argv: [String], environment: [String: String], input: String?, timeoutSeconds: Double?) throws -> ProcessResult
}

extension ProcessRunning {
    public func run(_ argv: [String]) throws -> ProcessResult {
        try run(argv, environment: [:], input: nil, timeoutSeconds: 60)
    }

    /// Runs and throws `ProcessError.failed` unless it exits 0.
    @discardableResult
    public func check(_ argv: [String], environment: [String: String] = [:], input: String? = nil, timeoutSeconds: Double? = 60) throws
        -> ProcessResult
    {
        let result = try run(argv, environment: environment, input: input, timeoutSeconds: timeoutSeconds)
        guard result.succeeded else { throw ProcessError.failed(result) }
        return result
    }
}

/// POSIX shell quoting, used only to *show* command lines to people, never to build them.
public enum ShellQuoting {
    public static func quote(_ word: String) -> String {
        if !word.isEmpty, word.unicodeScalars.allSatisfy({ safe.contains($0) }) { return word }
        return "'" + word.replacing("'", with: "'\\''") + "'"
    }

    public static func commandLine(_ argv: [String]) -> String {
        argv.map(quote).joined(separator: " ")
    }

    private static let safe = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:,@%+".unicodeScalars)
}

extension String {
    public func trimmingTrailingNewlines() -> String {
        var s = self[...]
        while let last = s.last, last == "\n" || last == "\r" { s = s.dropLast() }
        return String(s)
    }

    public func trimmingSpaces() -> String {
        var s = self[...]
        while let f = s.first, f == " " || f == "\t" || f == "\n" || f == "\r" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" || l == "\n" || l == "\r" { s = s.dropLast() }
        return String(s)
    }
}
