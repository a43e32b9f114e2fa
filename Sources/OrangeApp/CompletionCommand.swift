import OrangeCore

extension Commands {
    /// `orange completion bash|zsh|fish` prints a script; `--list tasks|projects` prints what the
    /// scripts offer at Tab time, one a line (invalid task files are skipped, silently: a
    /// completion must never print warnings into the user's command line).
    func completion() throws -> CommandResult {
        if let list = invocation.value("list") {
            let words: [String]
            switch list {
            case "tasks": words = (try? context.stores.tasks.scan(project: nil).tasks.map(\.id.rawValue).sorted()) ?? []
            case "projects": words = (try? context.stores.projects.list().map(\.name.rawValue).sorted()) ?? []
            default: throw usageError("invalid --list '\(list)'; use tasks or projects")
            }
            return CommandResult(text: words.map { $0 + "\n" }.joined(), json: .object([("values", .array(words.map { .string($0) }))]))
        }
        guard let name = invocation.positional(0) else {
            throw usageError("name a shell: bash, zsh or fish (e.g. 'source <(orange completion bash)')")
        }
        guard let shell = CompletionScript.Shell(rawValue: name) else {
            throw usageError("unknown shell '\(name)'; use bash, zsh or fish")
        }
        let script = CompletionScript.render(shell)
        return CommandResult(text: script, json: .object([("shell", .string(name)), ("script", .string(script))]))
    }
}
