import OrangeCore

extension Commands {
    func projectAdd() throws -> CommandResult {
        let start = invocation.positional(0).map(absolute) ?? context.workingDirectory
        guard let top = context.processes.git.topLevel(of: start) else {
            throw OrangeError("'\(start)' is not inside a git repository")
        }
        let path = context.realPath(top) ?? top
        let nameText = invocation.value("name") ?? String(path.split(separator: "/").last ?? "")
        if let problem = ProjectName.problem(with: nameText) {
            throw OrangeError(problem + (invocation.value("name") == nil ? "; choose one with --name" : ""))
        }
        let poolSize = try parsePoolSize(invocation.value("pool-size")) ?? Project.defaultPoolSize
        let project = Project(
            name: ProjectName(validating: nameText)!, path: path,
            defaultBranch: context.processes.git.defaultBranch(ofRepository: path), poolSize: poolSize)
        try context.stores.projects.update { projects in
            if projects.contains(where: { $0.name == project.name }) {
                throw OrangeError("project '\(nameText)' already exists")
            }
            if let other = projects.first(where: { (context.realPath($0.path) ?? $0.path) == path }) {
                throw OrangeError("'\(path)' is already registered as project '\(other.name)'")
            }
            projects.append(project)
        }
        context.logger.info("project", "Project added", [("project", .string(nameText)), ("path", .string(path))])
        return CommandResult(
            text: "Added project '\(nameText)' at \(path) (default branch \(project.defaultBranch), pool size \(poolSize))\n",
            json: .object([("project", project.displayJSON)]))
    }

    func projectList() throws -> CommandResult {
        let projects = try context.stores.projects.list()
        var text = projects.isEmpty ? "No projects registered. Add one with 'orange project add <path>'.\n" : ""
        for project in projects {
            text +=
                "\(project.name)  \(project.path)  branch \(project.defaultBranch)  pool \(project.poolSize)  \(project.modes.execution.rawValue)  \(project.modes.branches.rawValue)"
                + (project.merging.route == .pr ? "  merge via pr (\(project.merging.strategy.rawValue))" : "") + "\n"
        }
        return CommandResult(text: text, json: .object([("projects", .array(projects.map(\.displayJSON)))]))
    }

    func projectUpdate() throws -> CommandResult {
        let poolText = invocation.value("pool-size")
        let execution = try parseMode(invocation.value("execution"), option: "execution", ExecutionMode.self)
        let branches = try parseMode(invocation.value("branches"), option: "branches", BranchModel.self)
        let route = try parseMode(invocation.value("merge-via"), option: "merge-via", MergeRoute.self)
        let strategy = try parseMode(invocation.value("pr-merge"), option: "pr-merge", PullRequestMergeStrategy.self)
        guard poolText != nil || execution != nil || branches != nil || route != nil || strategy != nil else {
            throw UsageError(
                "nothing to update: give --pool-size <n>, --execution sequential|parallel, --branches flat|hierarchical, --merge-via origin|pr or --pr-merge merge|squash|rebase",
                command: invocation.command)
        }
        let poolSize = try parsePoolSize(poolText)
        let name: ProjectName
        if let given = invocation.positional(0) {
            guard let valid = ProjectName(validating: given) else { throw OrangeError(ProjectName.problem(with: given)!) }
            name = valid
        } else {
            name = try resolveProject().name
        }
        var updated: Project?
        try context.stores.projects.update { projects in
            guard let index = projects.firstIndex(where: { $0.name == name }) else {
                throw OrangeError("project '\(name)' not found")
            }
            if let poolSize { projects[index].poolSize = poolSize }
            if let execution { projects[index].modes.execution = execution }
            if let branches { projects[index].modes.branches = branches }
            if let route { projects[index].merging.route = route }
            if let strategy { projects[index].merging.strategy = strategy }
            updated = projects[index]
        }
        let project = updated!
        // A switch of mode takes effect at the next decision: start what it now allows.
        let transitions = try Reconciler(context: context).reconcile(changed: [], project: name)
        let text =
            "Updated project '\(name)': pool size \(project.poolSize), execution \(project.modes.execution.rawValue), branches \(project.modes.branches.rawValue), merge via \(project.merging.route.rawValue) (\(project.merging.strategy.rawValue))\n"
            + transitions.map { $0.line + "\n" }.joined()
        return CommandResult(text: text, json: .object([("project", project.displayJSON)]))
    }

    /// `--execution`/`--branches`: one of the enum's words, or nil when not given.
    func parseMode<T: RawRepresentable & CaseIterable>(_ text: String?, option: String, _ type: T.Type) throws -> T?
    where T.RawValue == String {
        guard let text else { return nil }
        guard let value = T(rawValue: text) else {
            throw OrangeError("invalid --\(option) '\(text)'; use " + T.allCases.map(\.rawValue).joined(separator: " or "))
        }
        return value
    }

    func projectRemove() throws -> CommandResult {
        let text = invocation.positional(0)!
        guard let name = ProjectName(validating: text) else { throw OrangeError(ProjectName.problem(with: text)!) }
        var removed: Project?
        try context.stores.projects.update { projects in
            guard let index = projects.firstIndex(where: { $0.name == name }) else {
                throw OrangeError("project '\(name)' not found")
            }
            removed = projects.remove(at: index)
        }
        return CommandResult(
            text: "Removed project '\(name)'. Its tasks (\(context.home)/tasks/\(name)) and worktrees were left on disk.\n",
            json: .object([("project", removed!.displayJSON)]))
    }

    private func parsePoolSize(_ text: String?) throws -> Int? {
        guard let text else { return nil }
        guard let value = Int(text), (1...64).contains(value) else {
            throw usageError("--pool-size must be a whole number from 1 to 64 (got '\(text)')")
        }
        return value
    }

    func absolute(_ path: String) -> String {
        if path.hasPrefix("/") { return path }
        if path == "~" || path.hasPrefix("~/"), let home = context.environment["HOME"] { return home + path.dropFirst() }
        return context.workingDirectory + "/" + path
    }
}
