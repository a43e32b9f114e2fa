/// The lifecycle states a task can be in.
///
/// The raw values are the exact words written to TASK.md, so they are part of the file format.
public enum TaskStatus: String, CaseIterable, Sendable, Hashable, Codable {
    case pending
    case clarification
    case working
    case delegated
    case reviewing
    case reviewed
    case stuck
    case done
    case failed
    case cancelled

    /// Statuses a task never leaves on its own: the graph treats them as settled.
    public var isTerminal: Bool {
        switch self {
        case .done, .failed, .cancelled: return true
        default: return false
        }
    }

    /// Statuses in which an agent session is expected to be running for the task.
    public var hasAgent: Bool {
        switch self {
        case .working, .clarification, .reviewing, .reviewed, .stuck: return true
        default: return false
        }
    }

    /// One-character icons for list output; kept from the original so users recognise them.
    public var icon: String {
        switch self {
        case .pending: return "○"
        case .clarification: return "?"
        case .working: return "●"
        case .delegated: return "◇"
        case .reviewing: return "◉"
        case .reviewed: return "◈"
        case .stuck: return "⚠"
        case .done: return "✓"
        case .failed: return "✗"
        case .cancelled: return "⊘"
        }
    }

    public static var allNames: String { allCases.map(\.rawValue).joined(separator: ", ") }
}
