/// orange(1), in roff, generated from the same command table as `--help` (`orange help --man`).
public enum ManPage {
    public static func render(commands: [CommandSpec] = OrangeCommands.all, version: String = OrangeCommands.version) -> String {
        var out = ".TH ORANGE 1 \"\" \"orange \(version)\" \"User Commands\"\n"
        out += ".SH NAME\norange \\- run coding agents on a graph of tasks\n"
        out +=
            ".SH SYNOPSIS\n.B orange\n.I command\n.RI [ options ]\n.br\n.B orange\n.RB [ \\-\\-all | \\-\\-project\n.IR name ]\n.br\n.B orange help\n.RI [ command ...]\n"
        out +=
            ".SH DESCRIPTION\n"
            + paragraphs(OrangeCommands.intro.split(separator: "\n", omittingEmptySubsequences: false).dropFirst(2).joined(separator: "\n"))
        out += paragraphs(
            "'orange' alone opens the dashboard on a terminal; '--all' or '--project <name>' before any command open it too. Every command accepts --json (machine-readable output, errors as {\"error\": ...}) and --help."
        )
        out += ".SH COMMANDS\n"
        for command in commands {
            out += ".SS \"\(escape(HelpRenderer.usage(command)))\"\n"
            out += paragraphs(command.summary)
            for positional in command.positionals {
                out += ".TP\n.I \(escape(positional.name))\n\(line(positional.help))\n"
            }
            for option in command.options where option.name != "json" && option.name != "help" {
                // The tag on one line, with font escapes: `--format, -f <tree|dot|mermaid>`.
                var tag = "\\fB\\-\\-\(escape(option.name))\\fR"
                if let short = option.short { tag += ", \\fB\\-\(short)\\fR" }
                if case .value(let placeholder) = option.kind { tag += " \\fI\(escape(placeholder))\\fR" }
                out += ".TP\n" + tag + "\n" + line(option.help + (option.repeatable ? " (repeatable)" : "")) + "\n"
            }
            if !command.discussion.isEmpty { out += ".PP\n" + paragraphs(command.discussion).dropFirst(".PP\n".count) }
            if !command.examples.isEmpty {
                out += ".PP\nExamples:\n.nf\n" + command.examples.map { "  " + line($0) + "\n" }.joined() + ".fi\n"
            }
        }
        out +=
            ".SH EXIT STATUS\n.TP\n0\nSuccess.\n.TP\n1\nThe command failed (a task not found, a refused transition, an I/O error, doctor found problems).\n.TP\n2\nA usage error: an unknown command or option, a missing argument, or an invalid option value.\n"
        out +=
            ".SH ENVIRONMENT\n.TP\n.B ORANGE_HOME\nThe data folder (default ~/orange).\n.TP\n.B ORANGE_LOG_LEVEL\ndebug, info, warn or error (default info).\n.TP\n.B ORANGE_HARNESS\nThe agent to run when --harness is not given.\n.TP\n.B NO_COLOR\nNo colours in the dashboard.\n"
        out +=
            ".SH FILES\n.TP\n.I $ORANGE_HOME/tasks/<project>/<id>/TASK.md\nOne task: YAML frontmatter and a Markdown body.\n.TP\n.I $ORANGE_HOME/projects.json\nRegistered projects.\n.TP\n.I $ORANGE_HOME/config.json\nUser-defined harnesses.\n.TP\n.I $ORANGE_HOME/orange.log\norange's own log ('orange log').\n"
        out += ".SH SEE ALSO\n.BR git (1),\n.BR tmux (1)\n"
        return out
    }

    /// Text made literal for roff: backslashes, and a leading `.` or `'` that would be a request.
    public static func escape(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "\\": out += "\\e"
            case "-": out += "\\-"
            default: out.append(character)
            }
        }
        return out
    }

    static func line(_ text: String) -> String {
        let escaped = escape(text)
        return escaped.hasPrefix(".") || escaped.hasPrefix("'") ? "\\&" + escaped : escaped
    }

    /// Blank-line separated paragraphs, each line made literal.
    static func paragraphs(_ text: String) -> String {
        var out = ".PP\n"
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = String(raw).trimmingSpaces()
            out += trimmed.isEmpty ? ".PP\n" : line(trimmed) + "\n"
        }
        return out
    }
}
