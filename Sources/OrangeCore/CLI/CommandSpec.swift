/// The declarative description of one command: its words, arguments, options and help.
///
/// The parser, `--help` and the usage errors are all generated from these values, so what a
/// command accepts and what its help says cannot drift apart.
public struct CommandSpec: Sendable {
    /// The command words, e.g. `["task", "create"]`.
    public var path: [String]
    public var summary: String
    public var positionals: [PositionalSpec]
    public var options: [OptionSpec]
    /// Extra help paragraphs shown after the options.
    public var discussion: String
    public var examples: [String]

    public init(
        _ path: [String], summary: String, positionals: [PositionalSpec] = [], options: [OptionSpec] = [],
        discussion: String = "", examples: [String] = []
    ) {
        self.path = path
        self.summary = summary
        self.positionals = positionals
        self.options = options + [.json, .help]
        self.discussion = discussion
        self.examples = examples
    }

    public var name: String { path.joined(separator: " ") }

    public func option(named name: String) -> OptionSpec? {
        options.first { $0.name == name }
    }

    public func option(short: Character) -> OptionSpec? {
        options.first { $0.short == short }
    }
}

public struct PositionalSpec: Sendable {
    public enum Arity: Sendable { case required, optional, variadic }
    public var name: String
    public var arity: Arity
    public var help: String

    public init(_ name: String, _ arity: Arity = .required, help: String) {
        self.name = name
        self.arity = arity
        self.help = help
    }
}

public struct OptionSpec: Sendable {
    public enum Kind: Sendable, Equatable {
        /// A boolean switch; it never takes the next word.
        case flag
        /// Takes a value: `--name value` or `--name=value`.
        case value(placeholder: String)
    }

    /// The long name without dashes.
    public var name: String
    public var short: Character?
    public var kind: Kind
    /// May be given more than once (values accumulate; commas are not split here).
    public var repeatable: Bool
    public var help: String

    public init(_ name: String, short: Character? = nil, _ kind: Kind = .flag, repeatable: Bool = false, help: String) {
        self.name = name
        self.short = short
        self.kind = kind
        self.repeatable = repeatable
        self.help = help
    }

    public static let json = OptionSpec("json", help: "Print machine-readable JSON on stdout (errors too, as {\"error\": …}).")
    public static let help = OptionSpec("help", short: "h", help: "Show this help.")
    public static let project = OptionSpec(
        "project", short: "p", .value(placeholder: "name"), help: "The project (default: the one the current directory belongs to).")
    public static let yes = OptionSpec("yes", short: "y", help: "Do not ask for confirmation.")
    public static let force = OptionSpec("force", help: "Discard uncommitted changes in the workspace.")
    static func execution(_ help: String) -> OptionSpec { OptionSpec("execution", .value(placeholder: "sequential|parallel"), help: help) }
    static func branches(_ help: String) -> OptionSpec { OptionSpec("branches", .value(placeholder: "flat|hierarchical"), help: help) }
}
