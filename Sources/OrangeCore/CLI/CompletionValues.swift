/// What a shell may offer for an option's value or a positional argument, read off the command
/// table (the option's name and placeholder), so the completions follow the table by themselves.
public enum CompletionValues: Equatable, Sendable {
    /// A fixed list of words (statuses, formats, strategies, harnesses, shells).
    case words([String])
    /// Task ids of the data folder (`orange completion --list tasks`).
    case tasks
    /// Project names of the data folder (`orange completion --list projects`).
    case projects
    /// Folders (a repository to add).
    case directories
    /// Free text: nothing to offer.
    case none

    /// The values of an option that takes one.
    public static func of(_ option: OptionSpec) -> CompletionValues {
        guard case .value(let placeholder) = option.kind else { return .none }
        if option.name == "project" { return .projects }
        if option.name == "harness" { return .words(Harnesses.builtIns.map(\.name)) }
        if placeholder == "status" { return .words(TaskStatus.allCases.map(\.rawValue)) }
        if placeholder.hasPrefix("id") { return .tasks }
        if placeholder == "dir" { return .directories }
        // `tree|dot|mermaid`, `ff|merge`: the placeholder lists the words themselves.
        let parts = placeholder.split(separator: "|").map(String.init)
        if parts.count > 1, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0.isLetter && $0.isLowercase } }) { return .words(parts) }
        return .none
    }

    /// The values of a command's positional argument.
    public static func of(_ positional: PositionalSpec, in command: CommandSpec) -> CompletionValues {
        switch positional.name {
        case "id": return .tasks
        case "path": return .directories
        case "shell": return .words(CompletionScript.Shell.allCases.map(\.rawValue))
        case "name" where command.path.first == "project": return .projects
        default: return .none
        }
    }
}
