import OrangeCore

/// What a command produced: text for people, JSON for programs, and the exit code.
public struct CommandResult: Sendable {
    public var text: String
    public var json: JSONValue
    public var exitCode: Int32
    /// The JSON output already rendered (an engine's answer), printed instead of `json`.
    public var renderedJSON: String?

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
}
