import OrangeCore

extension Commands {
    func workspaceInit() throws -> CommandResult {
        let project = try resolveProject()
        let workspaces = Workspaces(context: context)
        var created: [String] = []
        try context.stores.pool.update { pool in
            for number in 1...project.poolSize {
                let slot = WorkspaceSlot(project: project.name, number: number)
                let folders = context.stores.workspaceFolders
                guard pool.slot(named: slot.name) == nil || !folders.isFolder(slot.name) else { continue }
                if !folders.isFolder(slot.name) {
                    try folders.makeRoot()
                    try context.processes.git.addWorktree(
                        repository: project.path, path: context.workspacePath(slot.name), detachedAt: workspaces.startPoint(project))
                    created.append(slot.name)
                }
                if pool.slot(named: slot.name) == nil { pool.slots.append(slot) }
            }
            pool = PoolState(slots: pool.slots)
        }
        return CommandResult(
            text: created.isEmpty
                ? "All \(project.poolSize) workspaces of '\(project.name)' exist.\n" : "Created \(created.joined(separator: ", "))\n",
            json: .object([("created", .array(created.map { .string($0) }))]))
    }

    func workspaceList() throws -> CommandResult {
        let project = try optionalProject()
        let pool = try context.stores.pool.read()
        let tasks = try context.stores.tasks.scan(project: nil).tasks
        var text = ""
        var json: [JSONValue] = []
        for slot in pool.slots where project == nil || slot.project == project!.name {
            let task = slot.task.flatMap { id in tasks.first { $0.id == id } }
            if let id = slot.task {
                text +=
                    "\(slot.name): ● bound → \(id)"
                    + (task.map { " \($0.project)/\($0.branch) [\($0.status.rawValue)]" } ?? " (task missing)") + "\n"
            } else {
                text += "\(slot.name): ○ available\n"
            }
            json.append(
                .object([
                    ("name", .string(slot.name)), ("path", .string(context.workspacePath(slot.name))),
                    ("task_id", .optional(slot.task?.rawValue)), ("status", .string(slot.task == nil ? "available" : "bound")),
                ]))
        }
        return CommandResult(
            text: text.isEmpty ? "No workspaces yet (they are created when tasks start, or by 'orange workspace init').\n" : text,
            json: .object([("workspaces", .array(json))]))
    }

    func workspaceRelease() throws -> CommandResult {
        let name = invocation.positional(0)!
        guard WorkspaceSlot.parse(name: name) != nil else { throw OrangeError("'\(name)' is not a workspace name (<project>--<n>)") }
        let pool = try context.stores.pool.read()
        guard let slot = pool.slot(named: name) else { throw OrangeError("workspace '\(name)' is not in the pool") }
        let task = try slot.task.flatMap { try context.stores.tasks.find($0) }
        if let task, task.status.hasAgent, !invocation.flag("force") {
            throw OrangeError(
                "workspace \(name) is used by task \(task.id), which is \(task.status.rawValue); cancel the task, or pass --force")
        }
        let project = try context.stores.projects.list().first { $0.name == slot.project }
        if let task {
            try Reconciler(context: context).stopAgent(task, project: project, force: invocation.flag("force"))
        } else {
            try Workspaces(context: context).release(name, task: nil, project: project, force: invocation.flag("force"))
        }
        return CommandResult(text: "Released \(name)\n", json: .object([("released", .array([.string(name)]))]))
    }

    /// Frees slots whose task is gone or no longer runs an agent, forgets slots whose folder is
    /// gone, and clears task bindings the pool does not confirm (after a crash).
    func workspaceGC() throws -> CommandResult {
        let tasks = try context.stores.tasks.scan(project: nil).tasks
        let projects = try context.stores.projects.list()
        var released: [String] = []
        var problems: [String] = []
        for slot in try context.stores.pool.read().slots {
            if !context.stores.workspaceFolders.isFolder(slot.name) {
                try context.stores.pool.update { $0.remove(slot.name) }
                released.append(slot.name)
                continue
            }
            guard let id = slot.task else { continue }
            let task = tasks.first { $0.id == id }
            let orphaned = task == nil || task!.workspace != slot.name || !task!.status.hasAgent
            guard orphaned else { continue }
            do {
                try Workspaces(context: context).release(
                    slot.name, task: task, project: projects.first { $0.name == slot.project }, force: invocation.flag("force"))
                if let task, task.workspace == slot.name {
                    try context.stores.tasks.update(task.id, in: task.project) { $0.workspace = nil }
                }
                released.append(slot.name)
            } catch {
                problems.append("\(slot.name): \(error)")
            }
        }
        let pool = try context.stores.pool.read()
        // Shared tasks: another machine's task names a workspace of that machine's pool.
        let machine = context.stores.claims.machine
        for task in tasks
        where task.workspace != nil && ClaimRule.runsHere(task, machine: machine)
            && pool.slot(named: task.workspace!)?.task != task.id
        {
            try context.stores.tasks.update(task.id, in: task.project) { $0.workspace = nil }
            problems.append("task \(task.id) named workspace \(task.workspace!) but the pool did not bind it; cleared")
        }
        for problem in problems { context.console.diagnostics("warning: \(problem)\n") }
        return CommandResult(
            text: released.isEmpty ? "Nothing to collect.\n" : "Released \(released.joined(separator: ", "))\n",
            json: .object([("released", .array(released.map { .string($0) })), ("problems", .array(problems.map { .string($0) }))]))
    }
}
