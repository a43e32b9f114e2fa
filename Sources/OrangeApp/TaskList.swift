import OrangeCore

extension Commands {
    func taskList() throws -> CommandResult {
        let project = try optionalProject()
        let scan = try context.tasks.scan(project: nil)
        warn(about: scan.invalid)
        var view = GraphView(tasks: scan.tasks)
        view.projectModes = try projectModes()

        var statuses: Set<TaskStatus> = []
        for text in invocation.allValues("status") {
            for part in text.split(separator: ",") {
                guard let status = TaskStatus(rawValue: String(part)) else {
                    throw usageError("invalid --status '\(part)'; use one of: \(TaskStatus.allNames)")
                }
                statuses.insert(status)
            }
        }
        var tasks = scan.tasks.filter { project == nil || $0.project == project!.name }
        if !statuses.isEmpty { tasks = tasks.filter { statuses.contains($0.status) } }
        if invocation.flag("ready") { tasks = tasks.filter { view.isReady($0.id) } }
        if invocation.flag("blocked") { tasks = tasks.filter { $0.status == .pending && !view.isReady($0.id) } }

        let title = project.map { "Tasks (\($0.name))" } ?? "Tasks (all projects)"
        let json = JSONValue.object([
            ("tasks", .array(tasks.map { view.json(for: $0, path: context.tasks.taskFilePath($0.id, in: $0.project)) }))
        ])
        // The text is never shown with --json; on a large tree it cost as much as the JSON.
        if invocation.wantsJSON { return CommandResult(text: "", json: json) }
        var text: String
        if tasks.isEmpty {
            text =
                "No tasks" + (project.map { " in project '\($0.name)'" } ?? "")
                + (statuses.isEmpty && !invocation.flag("ready") && !invocation.flag("blocked")
                    ? ". Create one with 'orange task create'.\n" : " match.\n")
        } else if invocation.flag("tree") {
            text = "\(title):\n" + view.renderTree(tasks)
        } else {
            text = "\(title):\n"
            for task in tasks {
                text +=
                    "  \(task.status.icon) \(task.id)  \(view.statusLabel(task))  \(project == nil ? "\(task.project)/" : "")\(task.branch)\(Self.pullRequestMarker(task))\n"
                let note = view.readinessNote(task)
                if !task.description.isEmpty || !note.isEmpty {
                    text +=
                        "      " + [Self.oneLine(task.description, max: 100), note].filter { !$0.isEmpty }.joined(separator: "  ·  ") + "\n"
                }
            }
        }
        return CommandResult(text: text, json: json)
    }

    /// A description squeezed onto one line and cut to `max` characters.
    static func oneLine(_ text: String, max: Int) -> String {
        let flat = text.split(whereSeparator: { $0 == "\n" || $0 == "\r" || $0 == "\t" }).joined(separator: " ")
        return flat.count > max ? String(flat.prefix(max - 1)) + "…" : flat
    }

    /// `  PR open ✓` after a task's branch when it has a pull request (`PR` alone before the
    /// engine first asked about it).
    static func pullRequestMarker(_ task: TaskRecord) -> String {
        guard task.prURL != nil else { return "" }
        return "  PR" + (task.pullRequestStatus.map { " " + $0.compact } ?? "")
    }
}
