/// Shell completion scripts generated from the command table (`orange completion bash|zsh|fish`):
/// command words, options, option values (`CompletionValues`), and task ids and project names
/// read at completion time from `orange completion --list tasks|projects`.
public enum CompletionScript {
    public enum Shell: String, CaseIterable, Sendable {
        case bash, zsh, fish
    }

    public static func render(_ shell: Shell, commands: [CommandSpec] = OrangeCommands.all) -> String {
        switch shell {
        case .bash: return bash(commands)
        case .zsh: return zsh(commands)
        case .fish: return fish(commands)
        }
    }

    /// The words that may follow `prefix` (`task` → `create list …`), in table order.
    static func nextWords(after prefix: [String], in commands: [CommandSpec]) -> [String] {
        var words: [String] = []
        for command in commands where command.path.count > prefix.count && command.path.starts(with: prefix) {
            let word = command.path[prefix.count]
            if !words.contains(word) { words.append(word) }
        }
        if prefix.isEmpty { words.append("help") }
        return words
    }

    /// Every group of words that has words after it: `[]`, `["task"]`, `["watch"]`, ….
    static func prefixes(_ commands: [CommandSpec]) -> [[String]] {
        var result: [[String]] = [[]]
        for command in commands {
            for length in 1..<max(1, command.path.count) where !result.contains(Array(command.path.prefix(length))) {
                result.append(Array(command.path.prefix(length)))
            }
        }
        return result
    }

    static func optionWords(_ option: OptionSpec) -> [String] {
        ["--\(option.name)"] + (option.short.map { ["-\($0)"] } ?? [])
    }

    // MARK: bash

    /// A bash expression for `values`, completing `$cur` into COMPREPLY.
    private static func bashReply(_ values: CompletionValues, appending: Bool = false) -> String {
        let op = appending ? "+=" : "="
        switch values {
        case .words(let words): return "COMPREPLY\(op)($(compgen -W '\(words.joined(separator: " "))' -- \"$cur\"))"
        case .tasks: return "COMPREPLY\(op)($(compgen -W \"$(\"$bin\" completion --list tasks 2>/dev/null)\" -- \"$cur\"))"
        case .projects: return "COMPREPLY\(op)($(compgen -W \"$(\"$bin\" completion --list projects 2>/dev/null)\" -- \"$cur\"))"
        case .directories: return "COMPREPLY\(op)($(compgen -d -- \"$cur\"))"
        case .none: return appending ? ":" : "COMPREPLY=()"
        }
    }

    private static func bash(_ commands: [CommandSpec]) -> String {
        var out = """
            # bash completion for orange, generated from its command table by 'orange completion bash'.
            # Load it with: source <(orange completion bash)
            _orange() {
                local cur="${COMP_WORDS[COMP_CWORD]}" prev="" bin="${COMP_WORDS[0]}" i n
                (( COMP_CWORD > 0 )) && prev="${COMP_WORDS[COMP_CWORD-1]}"
                # Command words come first (orange's parser takes no command word after an option).
                local -a words=()
                for ((i = 1; i < COMP_CWORD; i++)); do
                    [[ ${COMP_WORDS[i]} == -* ]] && break
                    words+=("${COMP_WORDS[i]}")
                done
                local all=${#words[@]} helping=""
                if [[ ${words[0]} == help ]]; then helping=1; words=("${words[@]:1}"); fi
                local cmd=""
                for ((n = ${#words[@]}; n > 0; n--)); do
                    case "${words[*]:0:$n}" in

            """
        out += "            " + commands.map { "'\($0.name)'" }.joined(separator: "|") + ") cmd=\"${words[*]:0:$n}\"; break ;;\n"
        out += """
                    esac
                done
                if [[ -n $cmd && -z $helping && $prev == -* ]]; then
                    case "$cmd $prev" in

            """
        for command in commands {
            for option in command.options {
                guard case .value = option.kind else { continue }
                let patterns = optionWords(option).map { "'\(command.name) \($0)'" }.joined(separator: "|")
                out += "            \(patterns)) \(bashReply(CompletionValues.of(option))); return ;;\n"
            }
        }
        out += """
                    esac
                fi
                if [[ $cur == -* ]]; then
                    [[ -n $helping ]] && return
                    case "$cmd" in

            """
        for command in commands {
            let words = command.options.flatMap { ["--\($0.name)"] }
            out += "            '\(command.name)') COMPREPLY=($(compgen -W '\(words.joined(separator: " "))' -- \"$cur\")) ;;\n"
        }
        out += """
                    esac
                    return
                fi
                COMPREPLY=()
                if (( all == COMP_CWORD - 1 )); then
                    case "${words[*]}" in

            """
        for prefix in prefixes(commands) {
            let next = nextWords(after: prefix, in: commands)
            out +=
                "            '\(prefix.joined(separator: " "))') COMPREPLY=($(compgen -W '\(next.joined(separator: " "))' -- \"$cur\")) ;;\n"
        }
        out += """
                    esac
                fi
                [[ -n $cmd && -z $helping ]] || return
                case "$cmd" in

            """
        for command in commands {
            guard let first = command.positionals.first else { continue }
            let values = CompletionValues.of(first, in: command)
            if values == .none { continue }
            out += "            '\(command.name)') \(bashReply(values, appending: true)) ;;\n"
        }
        out += """
                esac
            }
            complete -F _orange orange

            """
        return out
    }

    // MARK: zsh

    /// zsh runs the bash completion through its `bashcompinit` layer: one generator, one behaviour.
    private static func zsh(_ commands: [CommandSpec]) -> String {
        """
        #compdef orange
        # zsh completion for orange, generated from its command table by 'orange completion zsh'.
        # Load it with: source <(orange completion zsh)
        (( $+functions[compdef] )) || { autoload -U +X compinit && compinit }
        autoload -U +X bashcompinit && bashcompinit

        """ + bash(commands)
    }

    // MARK: fish

    private static func fish(_ commands: [CommandSpec]) -> String {
        func quoted(_ text: String) -> String {
            var out = "'"
            for character in text {
                if character == "\\" || character == "'" { out.append("\\") }
                out.append(character)
            }
            return out + "'"
        }
        func fishValues(_ values: CompletionValues) -> String {
            switch values {
            case .words(let words): return " -x -a " + quoted(words.joined(separator: " "))
            case .tasks: return " -x -a '(orange completion --list tasks 2>/dev/null)'"
            case .projects: return " -x -a '(orange completion --list projects 2>/dev/null)'"
            case .directories: return " -x -a '(__fish_complete_directories)'"
            // Free text: a value is required, and no file names are offered for it.
            case .none: return " -x"
            }
        }
        /// The condition that the command line so far is `path` (and nothing deeper).
        func condition(_ path: [String]) -> String {
            if path.isEmpty { return "__fish_use_subcommand" }
            var parts = path.map { "__fish_seen_subcommand_from \($0)" }
            let deeper = nextWords(after: path, in: commands)
            if !deeper.isEmpty { parts.append("not __fish_seen_subcommand_from " + deeper.joined(separator: " ")) }
            return parts.joined(separator: "; and ")
        }
        var out = "# fish completion for orange, generated from its command table by 'orange completion fish'.\n"
        out += "# Load it with: orange completion fish | source\n"
        out += "complete -c orange -f\n"
        for prefix in prefixes(commands) {
            for word in nextWords(after: prefix, in: commands) {
                let summary =
                    commands.first { $0.path == prefix + [word] }?.summary
                    ?? (word == "help" ? "Show help for a command." : "\(word) commands")
                out += "complete -c orange -n \(quoted(condition(prefix))) -a \(word) -d \(quoted(summary))\n"
            }
        }
        for command in commands {
            let when = quoted(condition(command.path))
            for option in command.options {
                var line = "complete -c orange -n \(when) -l \(option.name)"
                if let short = option.short { line += " -s \(short)" }
                if case .value = option.kind { line += fishValues(CompletionValues.of(option)) }
                out += line + " -d \(quoted(option.help))\n"
            }
            if let first = command.positionals.first {
                let values = CompletionValues.of(first, in: command)
                if values != .none { out += "complete -c orange -n \(when)\(fishValues(values))\n" }
            }
        }
        return out
    }
}
