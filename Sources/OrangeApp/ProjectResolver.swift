import OrangeCore

extension Commands {
    /// The project a command is about: `--project`, else the workspace or repository the
    /// current directory is in.
    func resolveProject() throws -> Project {
        let projects = try context.stores.projects.list()
        // Shared by commands with and without a `--project` option.
        if invocation.declaresValue("project"), let name = invocation.value("project") {
            if let problem = ProjectName.problem(with: name) { throw OrangeError(problem) }
            guard let project = projects.first(where: { $0.name.rawValue == name }) else {
                throw OrangeError(
                    "project '\(name)' is not registered; see 'orange project list' or add it with 'orange project add <path> --name \(name)'"
                )
            }
            return project
        }
        if let project = try projectFromWorkingDirectory(projects) { return project }
        if context.processes.git.topLevel(of: context.workingDirectory) == nil {
            throw OrangeError("not in a git repository and no --project given; run from a project folder or pass --project <name>")
        }
        throw OrangeError("this repository is not a registered project; add it with 'orange project add' or pass --project <name>")
    }

    /// Like `resolveProject`, but nil instead of an error when nothing is inferred (lists
    /// then cover every project).
    func optionalProject() throws -> Project? {
        if invocation.declares("all", .flag), invocation.flag("all") { return nil }
        if invocation.declaresValue("project"), invocation.value("project") != nil { return try resolveProject() }
        return try projectFromWorkingDirectory(try context.stores.projects.list())
    }

    func projectFromWorkingDirectory(_ projects: [Project]) throws -> Project? {
        if let workspace = currentWorkspaceName(), let separator = workspace.firstRange(of: "--") {
            let name = String(workspace[..<separator.lowerBound])
            if let project = projects.first(where: { $0.name.rawValue == name }) { return project }
        }
        guard let top = context.processes.git.topLevel(of: context.workingDirectory) else { return nil }
        let resolved = context.realPath(top) ?? top
        return projects.first { (context.realPath($0.path) ?? $0.path) == resolved }
    }

    /// The workspace (`<project>--<n>`) the current directory is inside, if any.
    func currentWorkspaceName() -> String? {
        guard let root = context.realPath(context.workspacesRoot),
            let cwd = context.realPath(context.workingDirectory) ?? Optional(context.workingDirectory),
            cwd.hasPrefix(root + "/")
        else { return nil }
        let name = cwd.dropFirst(root.count + 1).prefix { $0 != "/" }
        return name.isEmpty || name.hasPrefix(".") ? nil : String(name)
    }

    /// The task bound to the workspace the current directory is inside (a worker's own task).
    func currentWorkspaceTask() throws -> TaskRecord? {
        guard let workspace = currentWorkspaceName() else { return nil }
        let scan = try context.stores.tasks.scan(project: nil)
        // Shared tasks: another machine's task may name a workspace of the same name there.
        let machine = context.stores.claims.machine
        let bound = scan.tasks.filter { $0.workspace == workspace && ClaimRule.runsHere($0, machine: machine) }
        return bound.first { !$0.status.isTerminal }
            ?? bound.max { ($0.createdAt ?? .init(millisecondsSinceEpoch: 0)) < ($1.createdAt ?? .init(millisecondsSinceEpoch: 0)) }
    }

    /// Finds a task by id anywhere, with a clear error for a malformed id or a missing task.
    func requireTask(_ text: String) throws -> TaskRecord {
        guard let id = TaskID(validating: text) else {
            throw OrangeError("'\(text)' is not a valid task id (letters and digits only)")
        }
        guard let task = try context.stores.tasks.find(id) else {
            throw OrangeError("task '\(text)' not found; see 'orange task list --all'")
        }
        return task
    }

    /// Reports files that could not be read, without failing the command.
    func warn(about invalid: [InvalidTaskFile]) {
        for file in invalid {
            // One line per file: a folder name holding a line break must not forge more output lines.
            context.console.diagnostics("warning: invalid task file \(TerminalSafe.inline(file.description)) (left untouched)\n")
        }
    }
}
