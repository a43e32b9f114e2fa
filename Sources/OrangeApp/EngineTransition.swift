import OrangeCore

/// A status change orange made on its own, with the reason, for output and `--json`.
public struct EngineTransition: Sendable, Equatable {
    public var id: TaskID
    public var project: ProjectName
    public var from: TaskStatus
    public var to: TaskStatus
    public var cause: String

    public var line: String { "  \(id)  \(from.rawValue) → \(to.rawValue)  (\(cause))" }

    public var json: JSONValue {
        .object([
            ("id", .string(id.rawValue)), ("project", .string(project.rawValue)),
            ("from", .string(from.rawValue)), ("to", .string(to.rawValue)), ("cause", .string(cause)),
        ])
    }
}
