import OrangeCore

extension Commands {
    /// `orange dashboard`: the full-screen view; with `--json`, its rows once.
    func dashboard() throws -> CommandResult {
        let project = try optionalProject()
        let projects = try context.stores.projects.list()
        if invocation.wantsJSON {
            let query = DashboardQuery(
                project: project?.name, layout: invocation.flag("flat") ? .flat : .nested,
                sessions: context.processes.tmux.sessionStates(), limit: nil)
            if let answer = try askEngine(.dashboard, query.arguments), let result = CommandResult(engineAnswer: answer) { return result }
            let scan = try context.stores.tasks.scan(project: nil)
            let state = query.state(graph: TaskGraph(scan.tasks), invalid: scan.invalid, projects: projects, now: context.clock.now())
            return CommandResult(text: "", json: Self.dashboardJSON(state))
        }
        let session = DashboardSession(
            context: context, project: project?.name, projects: projects, layout: invocation.flag("flat") ? .flat : .nested)
        return CommandResult(text: "", json: .null, exitCode: try session.run())
    }

    static func dashboardJSON(_ state: DashboardState) -> JSONValue {
        let pool = state.poolUsage
        return .object([
            ("project", .optional(state.project?.rawValue)),
            ("pool", .object([("used", .int(Int64(pool.used))), ("total", .int(Int64(pool.total)))])),
            ("layout", .string(state.layout.rawValue)),
            (
                "rows",
                .array(state.rows().map(dashboardRowJSON))
            ),
        ])
    }

    static func dashboardRowJSON(_ row: DashboardRow) -> JSONValue {
        .object([
            ("id", .optional(row.id?.rawValue)), ("depth", .int(Int64(row.depth))), ("name", .string(row.name)),
            ("session", .string(row.session == .alive ? "alive" : row.session == .crashed ? "crashed" : "none")),
            ("status", .optional(row.status?.rawValue)), ("label", .string(row.statusText)),
            ("parent", .string(row.parentName)), ("notes", .array(row.notes.map { .string($0) })),
        ])
    }
}
