/// What the user asked for: the command and its parsed arguments.
public struct Invocation: Sendable {
    public var command: CommandSpec
    public var positionals: [String]
    public var values: [String: [String]]
    public var flags: Set<String>

    // Handlers name options by their long names; each read is checked against the command's
    // declared options and their kind, so a misspelt or undeclared name fails the first test
    // that runs the handler (debug builds) instead of silently reading nothing.

    public func flag(_ name: String) -> Bool {
        assert(declares(name, .flag), "'\(command.name)' reads the flag --\(name), which its command table entry does not declare")
        return flags.contains(name)
    }

    /// The last value given for an option (a later `--x` overrides an earlier one).
    public func value(_ name: String) -> String? {
        assert(declaresValue(name), "'\(command.name)' reads the option --\(name) <value>, which its command table entry does not declare")
        return values[name]?.last
    }

    public func allValues(_ name: String) -> [String] {
        assert(declaresValue(name), "'\(command.name)' reads the option --\(name) <value>, which its command table entry does not declare")
        return values[name] ?? []
    }

    /// Whether the command declares a flag `name`.
    public func declares(_ name: String, _ kind: OptionSpec.Kind) -> Bool {
        command.option(named: name)?.kind == kind
    }

    /// Whether the command declares an option `name` that takes a value.
    public func declaresValue(_ name: String) -> Bool {
        if case .value = command.option(named: name)?.kind { return true }
        return false
    }
    public func positional(_ index: Int) -> String? { index < positionals.count ? positionals[index] : nil }
    public var wantsJSON: Bool { flag("json") }
}

/// A problem with the command line itself (exit code 2).
public struct UsageError: Error, Sendable, CustomStringConvertible {
    public var message: String
    /// The command the words were meant for, when known, so its usage can be shown.
    public var command: CommandSpec?

    public init(_ message: String, command: CommandSpec? = nil) {
        self.message = message
        self.command = command
    }

    public var description: String { message }
}

/// The result of parsing: run a command, or show help for a command or a group of commands.
public enum ParsedCommandLine: Sendable {
    case run(Invocation)
    /// `--help` or a bare group word like `orange task`: help for the commands under `prefix`.
    case help(prefix: [String])
}

/// Parses argv against a catalog of commands.
///
/// Unlike the original orange's parser: command words must come first (a word later on the line
/// is an argument, never a command), a boolean flag never consumes the next word, a value option
/// always takes the next word (so `--context -` means stdin), `--flag=value` works, and `--`
/// ends option parsing.
public struct ArgumentParser: Sendable {
    public var commands: [CommandSpec]

    public init(commands: [CommandSpec]) {
        self.commands = commands
    }

    /// Known first words (`task`, `project`, …) and full command paths, for group help.
    public func commands(under prefix: [String]) -> [CommandSpec] {
        commands.filter { $0.path.starts(with: prefix) }
    }

    public func parse(_ arguments: [String]) throws(UsageError) -> ParsedCommandLine {
        // Leading options before any command word: only help/json make sense there.
        var words = arguments[...]
        var leadingHelp = false
        var leadingJSON = false
        while let first = words.first, first.hasPrefix("-"), first != "-", first != "--" {
            switch first {
            case "-h", "--help": leadingHelp = true
            case "--json": leadingJSON = true
            default: throw UsageError("unknown option '\(first)' (options go after the command, e.g. 'orange task list \(first)')")
            }
            words = words.dropFirst()
        }
        if leadingHelp && words.isEmpty { return .help(prefix: []) }

        // Longest command path matching the leading words.
        var best: CommandSpec?
        for spec in commands where spec.path.count <= words.count && Array(words.prefix(spec.path.count)) == spec.path {
            if best == nil || spec.path.count > best!.path.count { best = spec }
        }
        guard let command = best else {
            if let first = words.first {
                let prefix = Array(words.prefix(while: { !$0.hasPrefix("-") }))
                // The longest prefix of the given words that names a group of commands.
                var group: [String] = []
                for length in stride(from: prefix.count, through: 1, by: -1) where !commands(under: Array(prefix.prefix(length))).isEmpty {
                    group = Array(prefix.prefix(length))
                    break
                }
                if !group.isEmpty {
                    let rest = words.dropFirst(group.count)
                    if rest.isEmpty || rest.contains("--help") || rest.contains("-h") || leadingHelp { return .help(prefix: group) }
                    let names = commands(under: group).map { $0.path[group.count] }
                    var unique: [String] = []
                    for n in names where !unique.contains(n) { unique.append(n) }
                    throw UsageError(
                        "unknown command '\(group.joined(separator: " ")) \(rest.first!)'; expected one of: \(unique.joined(separator: ", "))"
                    )
                }
                throw UsageError("unknown command '\(first)'; run 'orange --help' for the list of commands")
            }
            return .help(prefix: [])
        }

        var invocation = Invocation(command: command, positionals: [], values: [:], flags: [])
        if leadingJSON { invocation.flags.insert("json") }
        var rest = words.dropFirst(command.path.count)
        var onlyPositionals = false
        while let word = rest.popFirst() {
            if onlyPositionals || word == "-" || !word.hasPrefix("-") {
                invocation.positionals.append(word)
                continue
            }
            if word == "--" { onlyPositionals = true; continue }
            let spec: OptionSpec
            var inlineValue: String?
            if word.hasPrefix("--") {
                let body = word.dropFirst(2)
                let name: Substring
                if let eq = body.firstIndex(of: "=") {
                    name = body[..<eq]
                    inlineValue = String(body[body.index(after: eq)...])
                } else {
                    name = body
                }
                guard let found = command.option(named: String(name)) else {
                    throw UsageError("unknown option '--\(name)' for 'orange \(command.name)'", command: command)
                }
                spec = found
            } else {
                // Short options: `-y`, `-p name`, `-pname`; clusters of flags like `-yh`.
                let letters = Array(word.dropFirst())
                guard let firstLetter = letters.first, let found = command.option(short: firstLetter) else {
                    throw UsageError("unknown option '\(word)' for 'orange \(command.name)'", command: command)
                }
                if case .value = found.kind {
                    spec = found
                    if letters.count > 1 { inlineValue = String(letters.dropFirst()) }
                } else {
                    for letter in letters {
                        guard let flagSpec = command.option(short: letter), flagSpec.kind == .flag else {
                            throw UsageError("unknown option '-\(letter)' in '\(word)' for 'orange \(command.name)'", command: command)
                        }
                        try record(flag: flagSpec, in: &invocation, command: command)
                    }
                    continue
                }
            }
            switch spec.kind {
            case .flag:
                if let inlineValue {
                    throw UsageError("option '--\(spec.name)' takes no value (got '\(inlineValue)')", command: command)
                }
                try record(flag: spec, in: &invocation, command: command)
            case .value(let placeholder):
                let value: String
                if let inlineValue {
                    value = inlineValue
                } else {
                    guard let next = rest.first else {
                        throw UsageError("option '--\(spec.name)' needs a value (<\(placeholder)>)", command: command)
                    }
                    if next.hasPrefix("--"), next.count > 2,
                        command.option(named: String(next.dropFirst(2).prefix(while: { $0 != "=" }))) != nil
                    {
                        throw UsageError("option '--\(spec.name)' needs a value (<\(placeholder)>), got option '\(next)'", command: command)
                    }
                    value = next
                    rest = rest.dropFirst()
                }
                if !spec.repeatable, invocation.values[spec.name] != nil {
                    throw UsageError("option '--\(spec.name)' was given more than once", command: command)
                }
                invocation.values[spec.name, default: []].append(value)
            }
        }
        if invocation.flag("help") || leadingHelp { return .help(prefix: command.path) }
        try checkPositionals(invocation, command: command)
        return .run(invocation)
    }

    private func record(flag spec: OptionSpec, in invocation: inout Invocation, command: CommandSpec) throws(UsageError) {
        invocation.flags.insert(spec.name)
    }

    private func checkPositionals(_ invocation: Invocation, command: CommandSpec) throws(UsageError) {
        let required = command.positionals.filter { $0.arity == .required }.count
        let variadic = command.positionals.contains { $0.arity == .variadic }
        let count = invocation.positionals.count
        if count < required {
            let missing = command.positionals.filter { $0.arity == .required }[count]
            throw UsageError("missing argument <\(missing.name)>", command: command)
        }
        if !variadic && count > command.positionals.count {
            let extra = invocation.positionals[command.positionals.count]
            throw UsageError("unexpected argument '\(extra)'", command: command)
        }
    }
}
