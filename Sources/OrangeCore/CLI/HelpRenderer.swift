/// Renders `--help` text from command specs (pure, so it is tested as exact strings).
public enum HelpRenderer {
    /// Help for one command: usage line, arguments, options, discussion, examples.
    public static func render(_ command: CommandSpec) -> String {
        var out = "\(command.summary)\n\nUsage: \(usage(command))\n"
        if !command.positionals.isEmpty {
            out += "\nArguments:\n"
            let rows = command.positionals.map { ("<\($0.name)>", $0.help) }
            out += table(rows)
        }
        out += "\nOptions:\n"
        let rows = command.options.map { option -> (String, String) in
            var left = option.short.map { "-\($0), " } ?? "    "
            left += "--\(option.name)"
            if case .value(let placeholder) = option.kind { left += " <\(placeholder)>" }
            return (left, option.help + (option.repeatable ? " (repeatable)" : ""))
        }
        out += table(rows)
        if !command.discussion.isEmpty { out += "\n" + command.discussion + "\n" }
        if !command.examples.isEmpty {
            out += "\nExamples:\n" + command.examples.map { "  \($0)\n" }.joined()
        }
        return out
    }

    /// Help for a group (`orange task --help`) or the whole tool (`orange --help`).
    public static func render(group prefix: [String], commands: [CommandSpec], intro: String) -> String {
        var out = prefix.isEmpty ? intro + "\n" : "orange \(prefix.joined(separator: " ")): commands\n"
        out += "\nUsage: orange \(prefix.isEmpty ? "<command>" : prefix.joined(separator: " ") + " <command>") [options]\n\nCommands:\n"
        let rows = commands.filter { $0.path.starts(with: prefix) }.map { ($0.name, $0.summary) }
        out += table(rows)
        out +=
            "\nRun 'orange \(prefix.isEmpty ? "<command>" : prefix.joined(separator: " ") + " <command>") --help' for details. Every command accepts --json.\n"
        if prefix.isEmpty { out += "'orange --version' prints the version.\n" }
        return out
    }

    public static func usage(_ command: CommandSpec) -> String {
        var parts = ["orange", command.name]
        for positional in command.positionals {
            switch positional.arity {
            case .required: parts.append("<\(positional.name)>")
            case .optional: parts.append("[\(positional.name)]")
            case .variadic: parts.append("[\(positional.name)…]")
            }
        }
        parts.append("[options]")
        return parts.joined(separator: " ")
    }

    private static func table(_ rows: [(String, String)]) -> String {
        let width = min(34, (rows.map { $0.0.count }.max() ?? 0) + 2)
        return rows.map { left, right in
            let pad =
                left.count < width ? String(repeating: " ", count: width - left.count) : "\n" + String(repeating: " ", count: width + 2)
            return "  \(left)\(pad)\(right)\n"
        }.joined()
    }
}
