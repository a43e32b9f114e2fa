import OrangeCore

extension Commands {
    /// A task as every command prints it under `--json` (docs/json.md, "task"): its front matter,
    /// its path, and what the graph says of it (ready, blockers, progress, effective modes), read
    /// fresh so a command shows the task as it left it.
    func taskJSON(_ task: TaskRecord) throws -> JSONValue {
        var view = GraphView(tasks: try context.stores.tasks.scan(project: nil).tasks)
        view.projectModes = try projectModes()
        let fresh = view.task(task.id) ?? task
        return view.json(for: fresh, path: context.stores.tasks.taskFilePath(fresh.id, in: fresh.project))
    }

    /// The members of a command that changed one task and ran a reconcile: the task as it is now
    /// and what the engine did because of it.
    ///
    /// Only under `--json`: the task's graph facts need the whole tree read, which the command's
    /// text does not (and an engine spared it).
    func taskChange(_ task: TaskRecord, transitions: [EngineTransition]) throws -> JSONValue {
        try taskChange(task, transitions: transitions.map(\.json))
    }

    func taskChange(_ task: TaskRecord, transitions: [JSONValue]) throws -> JSONValue {
        guard invocation.wantsJSON else { return .null }
        return .object([("task", try taskJSON(task)), ("transitions", .array(transitions))])
    }
}
