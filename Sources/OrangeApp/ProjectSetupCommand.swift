import OrangeCore

extension Commands {
    /// `orange project setup [-p name] [--timeout s] [--clear] [-- command…]`: sets, clears or
    /// shows the command run in each task's worktree before its agent starts.
    func projectSetup() throws -> CommandResult {
        let command = invocation.positionals
        let clear = invocation.flag("clear")
        let timeoutText = invocation.value("timeout")
        if clear && (!command.isEmpty || timeoutText != nil) { throw usageError("--clear takes no command and no --timeout") }
        var timeout: Int?
        if let timeoutText {
            guard let value = Int(timeoutText), (1...86_400).contains(value) else {
                throw usageError("--timeout must be a whole number of seconds from 1 to 86400 (got '\(timeoutText)')")
            }
            timeout = value
        }
        let name = try resolveProject().name
        var project: Project?
        try context.stores.projects.update { projects in
            guard let index = projects.firstIndex(where: { $0.name == name }) else { throw OrangeError("project '\(name)' not found") }
            if clear {
                projects[index].setup = nil
            } else if !command.isEmpty {
                projects[index].setup = WorktreeSetup(
                    command: command,
                    timeoutSeconds: timeout ?? projects[index].setup?.timeoutSeconds ?? WorktreeSetup.defaultTimeoutSeconds)
            } else if let timeout {
                guard projects[index].setup != nil else { throw OrangeError("project '\(name)' has no setup command to time") }
                projects[index].setup?.timeoutSeconds = timeout
            }
            project = projects[index]
        }
        let setup = project!.setup
        let text =
            setup.map { "Project '\(name)' setup: \(ShellQuoting.commandLine($0.command)) (timeout \($0.timeoutSeconds) s)\n" }
            ?? "Project '\(name)' has no setup command.\n"
        return CommandResult(text: text, json: .object([("project", project!.displayJSON)]))
    }
}
