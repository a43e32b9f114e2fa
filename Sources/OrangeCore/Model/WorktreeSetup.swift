/// A project's worktree set-up: a command (an argv, never a shell string) run in a task's
/// worktree after orange prepared it and before the agent starts (copy `.env`, install
/// dependencies). Stored in `projects.json` as `"setup": {"command": […], "timeout_seconds": n}`.
public struct WorktreeSetup: Hashable, Sendable {
    public var command: [String]
    public var timeoutSeconds: Int

    public static let defaultTimeoutSeconds = 300
    /// How much of the output's end a failure puts in the task's `last_error`.
    public static let errorTailLines = 20

    public init(command: [String], timeoutSeconds: Int = WorktreeSetup.defaultTimeoutSeconds) {
        self.command = command
        self.timeoutSeconds = timeoutSeconds
    }

    public var json: JSONValue {
        .object([("command", .array(command.map { .string($0) })), ("timeout_seconds", .int(Int64(timeoutSeconds)))])
    }

    /// Reads the `"setup"` entry of a project; a reason when it is not a non-empty list of strings
    /// with a timeout from 1 second to a day.
    public static func from(json: JSONValue, project: String) -> Result<WorktreeSetup, ProjectDecodeError> {
        guard let items = json["command"]?.arrayValue, !items.isEmpty, items.allSatisfy({ $0.stringValue != nil }) else {
            return .failure(.init(reason: "project '\(project)': setup needs \"command\": a non-empty list of strings"))
        }
        let timeout = json["timeout_seconds"]?.intValue ?? Int64(defaultTimeoutSeconds)
        guard (1...86_400).contains(timeout) else {
            return .failure(.init(reason: "project '\(project)': setup timeout_seconds must be between 1 and 86400"))
        }
        return .success(WorktreeSetup(command: items.compactMap(\.stringValue), timeoutSeconds: Int(timeout)))
    }

    /// The last `errorTailLines` non-blank lines of the command's output, for `last_error`.
    public static func tail(of output: String) -> String {
        output.split(whereSeparator: \.isNewline).filter { !$0.allSatisfy(\.isWhitespace) }.suffix(errorTailLines).joined(separator: "\n")
    }
}
