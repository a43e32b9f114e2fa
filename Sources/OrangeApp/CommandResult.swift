import OrangeCore

/// What a command produced: text for people, JSON for programs, and the exit code.
public struct CommandResult: Sendable {
    public var text: String
    public var json: JSONValue
    public var exitCode: Int32
    /// The JSON output already rendered (an engine's answer), printed instead of `json`.
    public var renderedJSON: String?
    /// The same, held outside this process (the engine's list, passed as a descriptor): printed
    /// as it is, before `renderedJSON`.
    public var preparedJSON: (any PreparedOutput)?

    public init(text: String, json: JSONValue, exitCode: Int32 = 0) {
        self.text = text
        self.json = json
        self.exitCode = exitCode
    }
}

/// A failure to report to the user: one clear line, exit code 1.
public struct OrangeError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var exitCode: Int32

    public init(_ message: String, exitCode: Int32 = 1) {
        self.message = message
        self.exitCode = exitCode
    }

    public var description: String { message }
}

/// The final output of one `orange` run: what to print where, and the exit code.
public struct CommandOutcome: Sendable, Equatable {
    public var stdout: String
    public var stderr: String
    public var exitCode: Int32
    /// Printed on stdout after `stdout`, as it is (the engine's `--json` list).
    public var preparedStdout: (any PreparedOutput)?

    public init(stdout: String, stderr: String, exitCode: Int32, preparedStdout: (any PreparedOutput)? = nil) {
        (self.stdout, self.stderr, self.exitCode, self.preparedStdout) = (stdout, stderr, exitCode, preparedStdout)
    }

    /// All of stdout as text (`preparedStdout` read, lossily for bytes that are not UTF-8),
    /// for callers that keep the output instead of printing it.
    public var stdoutText: String {
        guard let preparedStdout else { return stdout }
        return stdout + String(decoding: preparedStdout.bytes() ?? [], as: UTF8.self)
    }

    /// Equal when they print the same: the prepared output is compared by its bytes.
    public static func == (a: CommandOutcome, b: CommandOutcome) -> Bool {
        a.stderr == b.stderr && a.exitCode == b.exitCode && a.stdoutText == b.stdoutText
    }
}
