/// One line of the dashboard's task table, already in words.
public struct DashboardRow: Sendable, Equatable {
    public enum SessionIcon: String, Sendable {
        case alive = "●", crashed = "✗", none = "○"
    }

    /// nil for a task file that could not be parsed.
    public var id: TaskID?
    public var depth: Int
    public var session: SessionIcon
    public var name: String
    /// `working`, `pending (ready)`, `delegated (2/3)`, `processing…`.
    public var status: TaskStatus?
    public var statusText: String
    public var parentName: String
    public var commits: String
    public var changes: String
    public var activity: String
    /// Shown under the row: what blocks it, cycles, one-sided links, an invalid file.
    public var notes: [String]
    /// What `activity` is the age of: the renderer ages the rows on screen with each frame's clock.
    public var activityTime: Timestamp? = nil

    public init(
        id: TaskID?, depth: Int, session: SessionIcon, name: String, status: TaskStatus?, statusText: String, parentName: String,
        commits: String, changes: String, activity: String, notes: [String], activityTime: Timestamp? = nil
    ) {
        (self.id, self.depth, self.session, self.name, self.status, self.statusText) = (id, depth, session, name, status, statusText)
        (self.parentName, self.commits, self.changes, self.activity, self.notes) = (parentName, commits, changes, activity, notes)
        self.activityTime = activityTime
    }
}

extension DashboardState {
    /// The rows for the current scope, filter and layout, in display order.
    ///
    /// Order: unfinished tasks before finished ones, then the most recently updated first. In the
    /// nested layout children follow their parent (in the parent's `children` order) whatever
    /// their own position would be, and blocked tasks say what they wait for.
    public func rows() -> [DashboardRow] { rowModel().rows }

    /// The rows and their indexes, built on the first call after a change and then reused; the
    /// previous rows while `rowsMayLag` and the new ones are not built yet.
    func rowModel() -> DashboardRowModel {
        if rowsMayLag, let previousRows, !rowsAreBuilt { return previousRows }
        return currentRowModel()
    }

    /// The rows of this state, built now if they are not yet.
    func currentRowModel() -> DashboardRowModel {
        rowCache.model {
            guard let servedRows else {
                return DashboardRowModel(rows: buildRows(limit: nil), poolUsed: Self.workspacesHeld(in: graph, project: project))
            }
            return DashboardRowModel(rows: servedRows.rows, poolUsed: servedRows.poolUsed)
        }
    }

    /// The first `limit` rows (all of them when nil), built without the cache: the engine's
    /// `dashboard` read orders every task but words only the rows it sends.
    public func buildRows(limit: Int?) -> [DashboardRow] {
        let cycles = CycleIndex(graph: graph)
        let linkProblems = graph.linkProblems()
        // Sorted by keys taken once per task: sorting the records themselves moved whole records
        // and read their fields in every comparison.
        var keyed: [(finished: Bool, time: Int64, id: TaskID)] = []
        for task in graph.tasks.values where (project == nil || task.project == project) && filter.includes(task.status) {
            keyed.append((task.status.isTerminal, (task.updatedAt ?? task.createdAt)?.millisecondsSinceEpoch ?? 0, task.id))
        }
        keyed.sort { a, b in
            if a.finished != b.finished { return !a.finished }
            return a.time != b.time ? a.time > b.time : a.id.rawValue < b.id.rawValue
        }
        let ordered = keyed.map(\.id)
        let included = Set(ordered)
        var placed: [(id: TaskID, depth: Int)] = []
        placed.reserveCapacity(ordered.count)

        switch layout {
        case .flat:
            placed = ordered.map { ($0, 0) }
        case .nested:
            var shown: Set<TaskID> = []
            func add(_ id: TaskID, depth: Int) {
                guard shown.insert(id).inserted else { return }
                placed.append((id, depth))
                for child in graph.children(of: id) where included.contains(child) { add(child, depth: depth + 1) }
            }
            for id in ordered where !graph.parents(of: id).contains(where: included.contains) { add(id, depth: 0) }
            // A parent/child loop has no root: its tasks are still listed.
            for id in ordered where !shown.contains(id) { add(id, depth: 0) }
        }
        var rows = placed.prefix(limit ?? placed.count).map { row(for: $0.id, depth: $0.depth, cycles: cycles, linkProblems: linkProblems) }

        for file in invalidFiles where project == nil || file.path.contains("/tasks/\(project!.rawValue)/") {
            if let limit, rows.count >= limit { break }
            rows.append(
                DashboardRow(
                    id: nil, depth: 0, session: .none, name: TerminalText.sanitized(Self.folderName(of: file.path)),
                    status: nil, statusText: "invalid", parentName: "", commits: "", changes: "", activity: "",
                    notes: ["⚠ " + TerminalText.sanitized(file.description) + " (fix the file; it is never overwritten)"]))
        }
        return rows
    }

    /// `project/id` for `…/tasks/project/id/TASK.md`.
    static func folderName(of path: String) -> String {
        let parts = path.split(separator: "/")
        return parts.count >= 3 ? parts[parts.count - 3] + "/" + parts[parts.count - 2] : path
    }

    func displayName(_ task: TaskRecord) -> String {
        TerminalText.sanitized(project == nil ? "\(task.project)/\(task.branch)" : task.branch)
    }

    func sessionIcon(_ task: TaskRecord) -> DashboardRow.SessionIcon {
        guard let name = task.tmuxSession, task.status.hasAgent else { return .none }
        guard sessionsKnown else { return .alive }
        return sessions[name] == true ? .alive : .crashed
    }

    func row(for id: TaskID, depth: Int, cycles: CycleIndex, linkProblems: [LinkProblem]) -> DashboardRow {
        let task = graph[id]!
        var statusText = graph.statusLabel(of: id)
        let readiness = graph.readiness(of: id, cycles: cycles)
        if readiness.isReady { statusText += " (ready)" }
        if case .held = readiness { statusText = "held" }
        statusText += Self.pullRequestMarker(task)
        if busy.contains(id) { statusText = "processing…" }
        let stats = task.workspace == nil ? nil : self.stats[id]
        return DashboardRow(
            id: id, depth: depth, session: sessionIcon(task), name: displayName(task),
            status: task.status, statusText: statusText,
            parentName: task.parent.flatMap { graph[$0] }.map(displayName) ?? (task.parent.map { "\($0) (missing)" } ?? ""),
            commits: stats.map { $0.commits > 0 ? "\($0.commits)" : "" } ?? "",
            changes: stats.map { $0.added + $0.removed > 0 ? "+\($0.added) -\($0.removed)" : "" } ?? "",
            activity: (task.updatedAt ?? task.createdAt).map { TerminalText.age(from: $0, to: now) } ?? "",
            notes: notes(for: task, readiness: readiness, cycles: cycles, linkProblems: linkProblems),
            activityTime: task.updatedAt ?? task.createdAt)
    }

    func notes(for task: TaskRecord, readiness: Readiness, cycles: CycleIndex, linkProblems: [LinkProblem]) -> [String] {
        var notes: [String] = []
        switch readiness {
        case .blocked(let blockers):
            let names = blockers.map { blocker in
                (graph[blocker.id].map(displayName) ?? blocker.id.rawValue) + " (" + blocker.stateText + ")"
            }
            notes.append("⟵ blocked by " + names.joined(separator: ", "))
        case .onCycle(let path):
            notes.append("⚠ on a dependency cycle: " + path.map { graph[$0].map(displayName) ?? $0.rawValue }.joined(separator: " → "))
        case .held(let reason):
            notes.append("⏸ held" + (reason.isEmpty ? "" : ": " + TerminalText.sanitized(reason)) + " (orange task unhold \(task.id))")
        case .ready, .notPending:
            break
        }
        if case .notPending = readiness, let path = cycles.path(through: task.id) {
            notes.append("⚠ on a dependency cycle: " + path.map { graph[$0].map(displayName) ?? $0.rawValue }.joined(separator: " → "))
        }
        for problem in linkProblems {
            switch problem {
            case .missingFromParent(let child, let parent) where child == task.id || parent == task.id:
                notes.append("⚠ " + problem.description)
            case .childNamesOtherParent(let child, let listedBy, _) where child == task.id || listedBy == task.id:
                notes.append("⚠ " + problem.description)
            default:
                break
            }
        }
        // A parent (or a task that sets one) shows how its sub-tasks run when it is not the default.
        if task.execution != nil || task.branches != nil || !graph.children(of: task.id).isEmpty {
            let modes = projectModes[task.project] ?? ProjectModes()
            let execution = graph.effectiveExecution(of: task.id, project: modes)
            let branches = graph.effectiveBranches(of: task.id, project: modes)
            if execution != .parallel || branches != .flat {
                notes.append("sub-tasks: \(execution.rawValue), \(branches.rawValue) branches")
            }
        }
        if task.status == .delegated, graph.progress(of: task.id).needsAttention {
            notes.append("⚠ a sub-task was cancelled or failed: needs a person")
        }
        if let note = Self.pullRequestNote(task) { notes.append(note) }
        if let error = task.lastError, task.status == .failed || task.status == .pending {
            notes.append("last error: " + TerminalText.sanitized(error))
        }
        return notes
    }
}
