import OrangeCore

/// What `task list` was asked for, once the command line is resolved: the same on both sides of
/// the engine's socket.
struct TaskListQuery: Equatable {
    var project: ProjectName?
    var statuses: [TaskStatus] = []
    var ready = false
    var blocked = false
    var tree = false
    var json = false

    var arguments: JSONValue {
        .object([
            ("project", .optional(project?.rawValue)), ("statuses", .array(statuses.map { .string($0.rawValue) })),
            ("ready", .bool(ready)), ("blocked", .bool(blocked)), ("tree", .bool(tree)), ("json", .bool(json)),
        ])
    }

    init(project: ProjectName?, statuses: [TaskStatus], ready: Bool, blocked: Bool, tree: Bool, json: Bool) {
        (self.project, self.statuses, self.ready, self.blocked, self.tree, self.json) = (project, statuses, ready, blocked, tree, json)
    }

    init?(arguments: JSONValue) {
        guard let names = arguments["statuses"]?.arrayValue else { return nil }
        project = arguments["project"]?.stringValue.flatMap(ProjectName.init(validating:))
        statuses = names.compactMap { $0.stringValue.flatMap(TaskStatus.init(rawValue:)) }
        ready = arguments["ready"]?.boolValue ?? false
        blocked = arguments["blocked"]?.boolValue ?? false
        tree = arguments["tree"]?.boolValue ?? false
        json = arguments["json"]?.boolValue ?? false
    }
}

extension Commands {
    func taskList() throws -> CommandResult {
        let project = try optionalProject()
        var statuses: [TaskStatus] = []
        for text in invocation.allValues("status") {
            for part in text.split(separator: ",") {
                guard let status = TaskStatus(rawValue: String(part)) else {
                    throw usageError("invalid --status '\(part)'; use one of: \(TaskStatus.allNames)")
                }
                if !statuses.contains(status) { statuses.append(status) }
            }
        }
        let query = TaskListQuery(
            project: project?.name, statuses: statuses, ready: invocation.flag("ready"), blocked: invocation.flag("blocked"),
            tree: invocation.flag("tree"), json: invocation.wantsJSON)
        if let answer = try askEngineForOutput(.list, query.arguments, outputKey: "json_text"),
            let result = CommandResult(engineAnswer: answer)
        {
            return result
        }
        let scan = try context.stores.tasks.scan(project: nil)
        warn(about: scan.invalid)
        var read = ReadGraph(scanned: scan.tasks)
        read.view.projectModes = try projectModes()
        return Self.taskList(query, in: read, context: context)
    }

    /// The list from `read`, whichever side made it.
    static func taskList(_ query: TaskListQuery, in read: ReadGraph, context: AppContext) -> CommandResult {
        let view = read.view
        let statuses = Set(query.statuses)
        var tasks = read.ordered.filter { query.project == nil || $0.project == query.project! }
        if !statuses.isEmpty { tasks = tasks.filter { statuses.contains($0.status) } }
        if query.ready { tasks = tasks.filter { read.isReady($0.id) } }
        if query.blocked { tasks = tasks.filter { $0.status == .pending && !read.isReady($0.id) } }

        // The text is never shown with --json; on a large tree it cost as much as the JSON.
        if query.json {
            return CommandResult(
                text: "",
                json: .object([
                    ("tasks", .array(tasks.map { view.json(for: $0, path: context.stores.tasks.taskFilePath($0.id, in: $0.project)) }))
                ]))
        }
        let title = query.project.map { "Tasks (\($0))" } ?? "Tasks (all projects)"
        var text: String
        if tasks.isEmpty {
            text =
                "No tasks" + (query.project.map { " in project '\($0)'" } ?? "")
                + (statuses.isEmpty && !query.ready && !query.blocked ? ". Create one with 'orange task create'.\n" : " match.\n")
        } else if query.tree {
            text = "\(title):\n" + view.renderTree(tasks)
        } else {
            text = "\(title):\n"
            for task in tasks {
                text +=
                    "  \(task.status.icon) \(task.id)  \(view.statusLabel(task))  \(query.project == nil ? "\(task.project)/" : "")\(task.branch)\(Self.pullRequestMarker(task))\n"
                let note = view.readinessNote(task)
                if !task.description.isEmpty || !note.isEmpty {
                    text +=
                        "      " + [Self.oneLine(task.description, max: 100), note].filter { !$0.isEmpty }.joined(separator: "  ·  ") + "\n"
                }
            }
        }
        return CommandResult(text: text, json: .null)
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
