/// Everything the dashboard shows, as plain values: the app fills it from the engine, tmux and
/// git, the keymap changes it, and the renderer draws it. No I/O, no clock.
public struct DashboardState: Sendable {
    public enum Layout: String, Sendable { case nested, flat }

    /// `f` cycles through these, in this order.
    public enum Filter: String, Sendable, CaseIterable {
        case all, active, done

        func includes(_ status: TaskStatus) -> Bool {
            switch self {
            case .all: return true
            case .active: return !status.isTerminal
            case .done: return status == .done
            }
        }
    }

    /// Who runs the engine this dashboard shows.
    public enum EngineRole: Sendable, Equatable {
        /// This dashboard took the engine lock and runs it: ready tasks start, parents complete.
        case running
        /// Another `orange watch` (or dashboard) holds the lock: this one only shows.
        case following(holder: String)
    }

    public enum Mode: Sendable, Equatable {
        case list
        case confirm(ConfirmAction, TaskID)
        case create(CreateForm)
        /// A read-only page (TASK.md, the graph, help), scrolled by `offset` lines.
        case page(title: String, lines: [String], offset: Int)
        /// The request of `r` (`orange task request-changes`), typed on the message line.
        case requestChanges(TaskID, text: String)
    }

    public enum ConfirmAction: String, Sendable, Equatable {
        case cancel, delete
    }

    public struct Message: Sendable, Equatable {
        public var text: String
        public var isError: Bool

        public init(_ text: String, isError: Bool = false) {
            self.text = text
            self.isError = isError
        }
    }

    public var graph: TaskGraph { didSet { invalidateRows() } }
    /// Task files the engine could not parse; shown as their own rows.
    public var invalidFiles: [InvalidTaskFile] = [] { didSet { invalidateRows() } }
    /// tmux sessions by name: true when its program is still running, false when it exited.
    public var sessions: [String: Bool] = [:] { didSet { invalidateRows() } }
    /// Whether `sessions` has been filled yet (before that no session is called crashed).
    public var sessionsKnown = false { didSet { invalidateRows() } }
    public var stats: [TaskID: WorkStats] = [:] { didSet { invalidateRows() } }
    /// Pool sizes by project, for the header's `pool: used/total`.
    public var poolSizes: [ProjectName: Int] = [:]
    /// Each project's execution mode and branch model, for a parent's effective modes.
    public var projectModes: [ProjectName: ProjectModes] = [:] { didSet { invalidateRows() } }
    /// nil shows every project.
    public var project: ProjectName? { didSet { invalidateRows() } }
    public var layout: Layout = .nested { didSet { invalidateRows() } }
    public var filter: Filter = .all { didSet { invalidateRows() } }
    public var engine: EngineRole = .running
    public var mode: Mode = .list
    public var selected: TaskID?
    public var message: Message?
    /// The last thing the engine did, for the status line.
    public var lastEvent: String?
    /// Tasks with a command running for them (shown as `processing…`).
    public var busy: Set<TaskID> = [] { didSet { invalidateRows() } }
    /// Wall-clock time of this frame, for the activity column. Not part of the built rows: the
    /// renderer ages the rows on screen only.
    public var now: Timestamp
    /// Rows served by a running engine before this state has a graph of its own (the first
    /// screen of a dashboard that follows an engine); nil once the graph is there.
    public var servedRows: DashboardServedRows? { didSet { invalidateRows() } }
    /// The rows built for everything above but the clock and the selection.
    var rowCache = DashboardRowCache()
    /// The rows last built before the latest change, shown while `rowsMayLag` until the new ones
    /// are built (off the UI thread: `buildRowModel()`).
    var previousRows: DashboardRowModel?
    /// Set by the dashboard after a change from the engine or the monitor: until the rows are
    /// built again (on another thread), a key or a frame uses the previous rows instead of
    /// building them on the UI thread (a second at 100,000 tasks). Any other change (a key that
    /// filters, a layout) clears it: its rows are built at once, as before.
    public var rowsMayLag = false

    public init(graph: TaskGraph = TaskGraph(), project: ProjectName?, now: Timestamp) {
        self.graph = graph
        self.project = project
        self.now = now
    }

    mutating func invalidateRows() {
        if let built = rowCache.built { previousRows = built }
        rowCache = DashboardRowCache(builds: rowCache.builds)
        rowsMayLag = false
    }

    /// Whether the rows of this state are built (false: a frame shows the previous ones, when
    /// `rowsMayLag`).
    public var rowsAreBuilt: Bool { rowCache.built != nil }

    /// Builds the rows of this state, for every copy sharing its cache; called off the UI thread.
    public func buildRowModel() { _ = currentRowModel() }

    /// How many times this state (and the states it was copied from) built its rows (for tests).
    public var rowModelBuilds: Int { rowCache.builds.count.load(ordering: .relaxed) }

    /// Tasks of `project` (every project when nil) holding a workspace.
    public static func workspacesHeld(in graph: TaskGraph, project: ProjectName?) -> Int {
        graph.tasks.values.filter { $0.workspace != nil && (project == nil || $0.project == project) }.count
    }

    /// What the header's pool figure counts: tasks holding a workspace over the pool size.
    public var poolUsage: (used: Int, total: Int) {
        let used = rowModel().poolUsed
        let total = project.map { poolSizes[$0] ?? 0 } ?? poolSizes.values.reduce(0, +)
        return (used, total)
    }
}

/// The first rows of the dashboard as a running engine computed them (`dashboard` read).
public struct DashboardServedRows: Sendable, Equatable {
    public var rows: [DashboardRow]
    public var poolUsed: Int

    public init(rows: [DashboardRow], poolUsed: Int) {
        self.rows = rows
        self.poolUsed = poolUsed
    }
}

/// A workspace's progress, from git: commits on the task branch and lines changed.
public struct WorkStats: Sendable, Equatable {
    public var commits: Int
    public var added: Int
    public var removed: Int

    public init(commits: Int, added: Int, removed: Int) {
        self.commits = commits
        self.added = added
        self.removed = removed
    }
}

/// The `c` form: one field at a time, Tab to move on, Enter to create.
public struct CreateForm: Sendable, Equatable {
    public enum Field: Int, Sendable, CaseIterable {
        case branch, description, blockedBy, parent

        public var label: String {
            switch self {
            case .branch: return "branch"
            case .description: return "description"
            case .blockedBy: return "blocked by"
            case .parent: return "parent"
            }
        }
    }

    public var project: ProjectName
    public var values: [Field: String] = [:]
    public var field: Field = .branch

    public init(project: ProjectName) {
        self.project = project
    }

    public subscript(field: Field) -> String {
        get { values[field] ?? "" }
        set { values[field] = newValue }
    }
}
