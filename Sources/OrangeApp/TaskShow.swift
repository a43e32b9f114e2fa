import OrangeCore

extension Commands {
    func taskShow() throws -> CommandResult {
        let text = invocation.positional(0)!
        if TaskID(validating: text) != nil, let answer = try askEngine(.show, .object([("id", .string(text))])),
            let result = CommandResult(engineAnswer: answer)
        {
            return result
        }
        let task = try requireTask(text)
        let scan = try context.stores.tasks.scan(project: nil)
        var read = ReadGraph(scanned: scan.tasks)
        read.view.projectModes = try projectModes()
        return Self.taskShow(task, in: read.view, context: context)
    }

    /// `task show` of `task` from `view`, whichever side made it; the history is read from disk.
    static func taskShow(_ task: TaskRecord, in view: GraphView, context: AppContext) -> CommandResult {
        let history = (try? context.stores.tasks.history(of: task.id, in: task.project)) ?? []
        let path = context.stores.tasks.taskFilePath(task.id, in: task.project)

        var text = "\(task.status.icon) \(task.id)  \(view.statusLabel(task))\n"
        text += "  project:     \(task.project)\n  branch:      \(task.branch)\n  harness:     \(task.harness)\n"
        if !task.description.isEmpty { text += "  description: \(Self.oneLine(task.description, max: 200))\n" }
        text += "  workspace:   \(task.workspace ?? "-")\n  session:     \(task.tmuxSession ?? "-")\n"
        if let created = task.createdAt { text += "  created:     \(created)\n" }
        if let updated = task.updatedAt { text += "  updated:     \(updated)\n" }
        if let pr = task.prURL { text += "  pr:          \(pr)\(task.pullRequestStatus.map { "  (\($0.compact))" } ?? "")\n" }
        if let error = task.lastError { text += "  last error:  \(error)\n" }
        text += "  file:        \(path)\n"
        let setupLog = WorktreeSetupRunner.logFile(task, context: context)
        let hasSetupLog = context.readFile(setupLog) != nil
        if hasSetupLog { text += "  setup log:   \(setupLog)\n" }
        text += "  readiness:   \(view.readinessSummary(task))\n"
        let modes = view.describeModes(task)
        text += "  execution:   \(modes.execution)\n  branches:    \(modes.branches)\n"
        if let parent = task.parent {
            if let p = view.task(parent) {
                text += "  parent:      \(parent) [\(view.statusLabel(p))] \(p.branch)\n"
            } else {
                text += "  parent:      \(parent) no longer exists; this task continues on its own\n"
            }
        }
        if !task.blockedBy.isEmpty {
            text += "  blocked by:\n"
            for id in task.blockedBy { text += "    " + view.describeReference(id) + "\n" }
        }
        let children = view.children(of: task.id)
        if !children.isEmpty {
            text += "  children:\n"
            for id in children { text += "    " + view.describeReference(id) + "\n" }
        }
        for problem in view.diagnostics(for: task.id) { text += "  ! \(problem)\n" }
        if !history.isEmpty {
            text += "  history:\n"
            for event in history.suffix(20) {
                let details = event.fields.map { "\($0.0)=\($0.1.stringValue ?? $0.1.rendered())" }.joined(separator: " ")
                text += "    \(event.timestamp)  \(event.type)\(details.isEmpty ? "" : "  " + details)\n"
            }
        }
        return CommandResult(
            text: text,
            json: .object([
                ("task", view.json(for: task, path: path)), ("setup_log", hasSetupLog ? .string(setupLog) : .null),
                ("history", .array(history.map(\.json))),
            ]))
    }

    /// Each registered project's modes, for the effective mode of its tasks.
    func projectModes() throws -> [ProjectName: ProjectModes] { try Self.projectModes(context) }

    static func projectModes(_ context: AppContext) throws -> [ProjectName: ProjectModes] {
        Dictionary(try context.stores.projects.list().map { ($0.name, $0.modes) }, uniquingKeysWith: { a, _ in a })
    }

    func taskWhy() throws -> CommandResult {
        let text = invocation.positional(0)!
        if TaskID(validating: text) != nil, let answer = try askEngine(.why, .object([("id", .string(text))])),
            let result = CommandResult(engineAnswer: answer)
        {
            return result
        }
        let task = try requireTask(text)
        let scan = try context.stores.tasks.scan(project: nil)
        return try Self.taskWhy(task.id, in: GraphView(tasks: scan.tasks), context: context)
    }

    static func taskWhy(_ id: TaskID, in view: GraphView, context: AppContext) throws -> CommandResult {
        let lines = try view.why(id, readyNote: readyNote(in: view, context: context))
        return CommandResult(
            text: lines.map { $0 + "\n" }.joined(),
            json: .object([
                ("task", view.task(id).map { view.json(for: $0, path: context.stores.tasks.taskFilePath($0.id, in: $0.project)) } ?? .null),
                ("explanation", .array(lines.map { .string($0) })),
            ]))
    }

    func readyNote(in view: GraphView) throws -> (TaskID) -> String? { try Self.readyNote(in: view, context: context) }

    /// What really holds a ready task: the same checks the reconcile makes before it hands out
    /// slots, then the pool. Nil when it only waits for a slot of a full pool.
    static func readyNote(in view: GraphView, context: AppContext) throws -> (TaskID) -> String? {
        let (projects, harnesses, pool) = try (context.stores.projects.list(), context.harnesses(), context.stores.pool.read())
        let spawner = Spawner(context: context)
        let now = context.clock.now()
        // Without an engine nothing acts between commands: say how to get one.
        let noEngine =
            (try? context.stores.engineSync.engineIsRunning()) != true
            ? "; no engine runs for this ORANGE_HOME, so it waits for the next orange command that changes tasks: run 'orange watch' or 'orange service install'"
            : ""
        return { id in
            guard let task = view.task(id) else { return nil }
            if let due = task.spawnRetryAt, due > now {
                return "its last spawn failed (\(task.lastError ?? "no reason recorded")); it is tried again from \(due.rfc3339)"
            }
            if let reason = spawner.cannotStart(task, projects: projects, harnesses: harnesses) { return reason }
            if let offline = SyncRepository.offlineNote(for: task.project, home: context.home) { return offline }
            let modes = projects.first { $0.name == task.project }?.modes ?? ProjectModes()
            if let hold = view.graph.sequentialHold(of: id, project: modes) { return hold }
            guard let project = projects.first(where: { $0.name == task.project }),
                pool.freeCount(of: project.name, poolSize: project.poolSize) > 0
            else { return nil }
            return
                "a workspace slot of project '\(project.name)' is free: the next reconcile starts it (one runs after every orange command that changes tasks, and at once under 'orange watch')"
                + noEngine
        }
    }

    func graph() throws -> CommandResult {
        let project = try optionalProject()
        let format = invocation.value("format") ?? "tree"
        guard ["tree", "dot", "mermaid"].contains(format) else {
            throw usageError("invalid --format '\(format)'; use tree, dot or mermaid")
        }
        let arguments = JSONValue.object([("project", .optional(project?.name.rawValue)), ("format", .string(format))])
        if let answer = try askEngine(.graph, arguments), let result = CommandResult(engineAnswer: answer) { return result }
        let scan = try context.stores.tasks.scan(project: project?.name)
        warn(about: scan.invalid)
        var view = GraphView(tasks: scan.tasks)
        view.projectModes = try projectModes()
        return Self.graph(of: scan.tasks, view: view, format: format, context: context)
    }

    /// `orange graph` of `tasks` (one project's, or all) in the scan's order.
    static func graph(of tasks: [TaskRecord], view: GraphView, format: String, context: AppContext) -> CommandResult {
        let text: String
        switch format {
        case "dot": text = view.renderDot()
        case "mermaid": text = view.renderMermaid()
        default: text = view.renderTree(tasks)
        }
        return CommandResult(
            text: text.isEmpty ? "No tasks.\n" : text,
            json: .object([
                ("format", .string(format)), ("graph", .string(text)),
                ("tasks", .array(tasks.map { view.json(for: $0, path: context.stores.tasks.taskFilePath($0.id, in: $0.project)) })),
            ]))
    }
}
