import OrangeCore

/// What a dashboard asks for: the same question for the command's own scan and for the running
/// engine's graph (`dashboard` read), answered by the same functions on either side.
struct DashboardQuery: Equatable {
    var project: ProjectName?
    var layout: DashboardState.Layout
    /// tmux's sessions as the asking process saw them; nil: not looked at yet (no session is
    /// called crashed).
    var sessions: [String: Bool]?
    /// Only the first rows (a first screen); nil: every row, as `dashboard --json` prints them.
    var limit: Int?

    var arguments: JSONValue {
        .object([
            ("project", .optional(project?.rawValue)), ("layout", .string(layout.rawValue)),
            ("sessions", sessions.map { .object($0.sorted { $0.key < $1.key }.map { ($0.key, .bool($0.value)) }) } ?? .null),
            ("limit", limit.map { .int(Int64($0)) } ?? .null),
        ])
    }

    init(project: ProjectName?, layout: DashboardState.Layout, sessions: [String: Bool]?, limit: Int?) {
        (self.project, self.layout, self.sessions, self.limit) = (project, layout, sessions, limit)
    }

    init?(arguments: JSONValue) {
        guard let layout = arguments["layout"]?.stringValue.flatMap(DashboardState.Layout.init(rawValue:)) else { return nil }
        self.layout = layout
        if let name = arguments["project"]?.stringValue {
            guard let project = ProjectName(validating: name) else { return nil }
            self.project = project
        }
        sessions = arguments["sessions"]?.objectValue.map { pairs in
            Dictionary(pairs.compactMap { key, value in value.boolValue.map { (key, $0) } }, uniquingKeysWith: { a, _ in a })
        }
        limit = arguments["limit"]?.intValue.map { Int(max(0, $0)) }
    }

    /// The dashboard's state over `graph`, with nothing selected.
    func state(graph: TaskGraph, invalid: [InvalidTaskFile], projects: [Project], now: Timestamp) -> DashboardState {
        var state = DashboardState(graph: graph, project: project, now: now)
        state.invalidFiles = invalid
        state.poolSizes = Dictionary(projects.map { ($0.name, $0.poolSize) }, uniquingKeysWith: { a, _ in a })
        state.projectModes = Dictionary(projects.map { ($0.name, $0.modes) }, uniquingKeysWith: { a, _ in a })
        state.layout = layout
        if let sessions {
            state.sessionsKnown = true
            state.sessions = sessions
        }
        return state
    }

    /// The engine's answer: `dashboard --json`'s output for every row, or the first rows alone.
    func answer(graph: TaskGraph, projects: [Project], now: Timestamp) -> JSONValue {
        let state = state(graph: graph, invalid: [], projects: projects, now: now)
        guard let limit else { return CommandResult(text: "", json: Commands.dashboardJSON(state)).engineAnswer }
        return .object([
            ("rows", .array(state.buildRows(limit: limit).map(Commands.dashboardRowJSON))),
            ("pool_used", .int(Int64(DashboardState.workspacesHeld(in: graph, project: project)))),
        ])
    }
}

extension DashboardServedRows {
    /// The first rows from an engine's answer to a query with a `limit`.
    init?(engineAnswer answer: JSONValue) {
        guard let rows = answer["rows"]?.arrayValue, let used = answer["pool_used"]?.intValue else { return nil }
        let decoded = rows.compactMap(DashboardRow.init(servedJSON:))
        guard decoded.count == rows.count else { return nil }
        self.init(rows: decoded, poolUsed: Int(used))
    }
}

extension DashboardRow {
    /// A row of `dashboard --json` (which has no git figures or activity).
    init?(servedJSON json: JSONValue) {
        guard let depth = json["depth"]?.intValue, let name = json["name"]?.stringValue, let label = json["label"]?.stringValue,
            let session = json["session"]?.stringValue
        else { return nil }
        self.init(
            id: json["id"]?.stringValue.flatMap(TaskID.init(validating:)), depth: Int(depth),
            session: session == "alive" ? .alive : session == "crashed" ? .crashed : .none, name: name,
            status: json["status"]?.stringValue.flatMap(TaskStatus.init(rawValue:)), statusText: label,
            parentName: json["parent"]?.stringValue ?? "", commits: "", changes: "", activity: "",
            notes: (json["notes"]?.arrayValue ?? []).compactMap(\.stringValue))
    }
}
