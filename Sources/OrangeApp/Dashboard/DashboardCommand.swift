import OrangeCore

extension Commands {
    /// `orange dashboard`: the full-screen view; with `--json`, its rows once.
    func dashboard() throws -> CommandResult {
        let project = try optionalProject()
        let projects = try context.stores.projects.list()
        if invocation.wantsJSON {
            let scan = try context.stores.tasks.scan(project: nil)
            var state = DashboardState(graph: TaskGraph(scan.tasks), project: project?.name, now: context.clock.now())
            state.invalidFiles = scan.invalid
            state.poolSizes = Dictionary(projects.map { ($0.name, $0.poolSize) }, uniquingKeysWith: { a, _ in a })
            state.projectModes = Dictionary(projects.map { ($0.name, $0.modes) }, uniquingKeysWith: { a, _ in a })
            state.layout = invocation.flag("flat") ? .flat : .nested
            state.sessionsKnown = true
            state.sessions = context.processes.tmux.sessionStates()
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
                .array(
                    state.rows().map { row in
                        .object([
                            ("id", .optional(row.id?.rawValue)), ("depth", .int(Int64(row.depth))), ("name", .string(row.name)),
                            ("session", .string(row.session == .alive ? "alive" : row.session == .crashed ? "crashed" : "none")),
                            ("status", .optional(row.status?.rawValue)), ("label", .string(row.statusText)),
                            ("parent", .string(row.parentName)), ("notes", .array(row.notes.map { .string($0) })),
                        ])
                    })
            ),
        ])
    }
}
