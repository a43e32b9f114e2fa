import OrangeCore

extension Commands {
    func projectAdd() throws -> CommandResult {
        let start = invocation.positional(0).map(absolute) ?? context.workingDirectory
        guard let top = context.git.topLevel(of: start) else {
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
            defaultBranch: context.git.defaultBranch(ofRepository: path), poolSize: poolSize)
        try context.projects.update { projects in
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
            json: project.json)
    }

    func projectList() throws -> CommandResult {
        let projects = try context.projects.list()
        var text = projects.isEmpty ? "No projects registered. Add one with 'orange project add <path>'.\n" : ""
        for project in projects {
            text += "\(project.name)  \(project.path)  branch \(project.defaultBranch)  pool \(project.poolSize)\n"
        }
        return CommandResult(text: text, json: .array(projects.map(\.json)))
    }

    func projectUpdate() throws -> CommandResult {
        guard let poolText = invocation.value("pool-size") else {
            throw UsageError("nothing to update: give --pool-size <n>", command: invocation.command)
        }
        let poolSize = try parsePoolSize(poolText)!
        let name: ProjectName
        if let given = invocation.positional(0) {
            guard let valid = ProjectName(validating: given) else { throw OrangeError(ProjectName.problem(with: given)!) }
            name = valid
        } else {
            name = try resolveProject().name
        }
        var updated: Project?
        try context.projects.update { projects in
            guard let index = projects.firstIndex(where: { $0.name == name }) else {
                throw OrangeError("project '\(name)' not found")
            }
            projects[index].poolSize = poolSize
            updated = projects[index]
        }
        return CommandResult(text: "Updated project '\(name)': pool size \(poolSize)\n", json: updated!.json)
    }

    func projectRemove() throws -> CommandResult {
        let text = invocation.positional(0)!
        guard let name = ProjectName(validating: text) else { throw OrangeError(ProjectName.problem(with: text)!) }
        var removed: Project?
        try context.projects.update { projects in
            guard let index = projects.firstIndex(where: { $0.name == name }) else {
                throw OrangeError("project '\(name)' not found")
            }
            removed = projects.remove(at: index)
        }
        return CommandResult(
            text: "Removed project '\(name)'. Its tasks (\(context.home)/tasks/\(name)) and worktrees were left on disk.\n",
            json: removed!.json)
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
