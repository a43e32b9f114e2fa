import OrangeCore

/// `task list --json` as the engine answers it: the bytes a scan prints (`Commands.taskList`,
/// then the envelope, indented), written from each task's piece kept since the last list.
///
/// A task's JSON is its file's members (a pure function of its record: its id and project give
/// its path) followed by what the graph derives (readiness, blockers, effective modes,
/// progress). The first part is kept rendered, with the record it was rendered from, and used
/// again while the task's record is equal; the second is small and rendered every time, so no
/// change elsewhere in the graph (a blocker done, a child added, a project's modes) can leave a
/// stale piece. After one write a list of 3,300 tasks renders one task's file members and copies
/// the rest (docs/performance.md, section 6).
struct EngineListPieces: Sendable {
    private struct Piece: Sendable {
        var record: CompactTaskRecord
        /// The task's object opened with its file's members, at the level of a list's element.
        var opening: [UInt8]
    }

    private var pieces: [TaskID: Piece] = [:]
    private var keptBytes = 0
    /// Pieces kept at most: a list of every ready task of 100,000 is about 30 MB, so the
    /// engine's memory stays bounded; tasks past it are rendered each time.
    static let budget = 32 << 20

    var count: Int { pieces.count }

    /// The list `query` asks for, as `orange task list … --json` prints it (envelope, indented,
    /// final newline), from `graph` with the projects' `modes`.
    mutating func render(
        _ query: TaskListQuery, graph engineGraph: IndexedGraph, modes: [ProjectName: ProjectModes],
        path: (TaskID, ProjectName) -> String
    ) -> [UInt8] {
        let graph = engineGraph.graph
        let indexes = engineGraph.indexes
        var view = GraphView(graph: graph, cycles: indexes.cycles)
        view.projectModes = modes
        let statuses = Set(query.statuses)
        func selected(_ task: CompactTaskRecord) -> Bool {
            (query.project == nil || task.project == query.project!) && (statuses.isEmpty || statuses.contains(task.status))
                && (!query.blocked || (task.status == .pending && !indexes.isReady(task.id)))
        }
        // The scan's order (created, then id); the ready index is kept in it already.
        let ids: [TaskID]
        if query.ready {
            let ready = indexes.readyTasks
            let unfiltered = query.project == nil && statuses.isEmpty && !query.blocked
            ids = unfiltered ? ready : ready.filter { graph.tasks.compact($0).map(selected) ?? false }
        } else {
            var keyed: [(key: Int64, id: TaskID)] = []
            for task in graph.tasks.compactValues where selected(task) {
                keyed.append((task.createdAt?.millisecondsSinceEpoch ?? Int64.min, task.id))
            }
            keyed.sort { $0.key != $1.key ? $0.key < $1.key : $0.id < $1.id }
            ids = keyed.map(\.id)
        }
        var out = PrettyJSONPieces.envelopeOpening("tasks", capacity: ids.count * 1024)
        let wrote = appendElements(ids, first: true, graph: engineGraph, view: view, into: &out, path: path)
        PrettyJSONPieces.closeEnvelope(empty: !wrote, in: &out)
        forgetRemoved(from: graph)
        return out
    }

    /// The elements of `ids` (tasks of the graph, others skipped), each started with its
    /// separator, the first as a list's first element when `first`; true when one was written.
    mutating func appendElements(
        _ ids: some Sequence<TaskID>, first: Bool, graph engineGraph: IndexedGraph, view: GraphView, into out: inout [UInt8],
        path: (TaskID, ProjectName) -> String
    ) -> Bool {
        let graph = engineGraph.graph
        let indexes = engineGraph.indexes
        var first = first
        var wrote = false
        var lastDerived: [(String, JSONValue)] = []
        var lastKey: ReadyDerivedKey?
        var lastEnd: [UInt8] = []
        var lastModes: (project: ProjectName, modes: ProjectModes)?
        for id in ids {
            guard let task = graph.tasks.compact(id) else { continue }
            PrettyJSONPieces.startElement(first: first, in: &out)
            first = false
            wrote = true
            if let kept = pieces[id], kept.record.holdsSameRecord(as: task) {
                out.append(contentsOf: kept.opening)
            } else {
                let members = task.record.json(path: path(task.id, task.project)).objectValue ?? []
                let opening = PrettyJSONPieces.objectOpening(members, level: 2)
                out.append(contentsOf: opening)
                keep(Piece(record: task, opening: opening), for: id)
            }
            // Most tasks of a list end alike (ready, the project's modes, no progress): the end
            // of the task before is used again when the same. A ready task's end is told by a
            // few values (no blockers to render), compared without building its members.
            let ready = indexes.isReady(id)
            if ready {
                if lastModes?.project != task.project { lastModes = (task.project, view.modes(task.project)) }
                let key = ReadyDerivedKey(task, graph: graph, inherited: lastModes!.modes)
                if key != lastKey {
                    lastKey = key
                    lastDerived = []
                    lastEnd = []
                    PrettyJSONPieces.closeObject(adding: view.derivedJSON(for: task, knownReady: true), level: 2, to: &lastEnd)
                }
            } else {
                let derived = view.derivedJSON(for: task, knownReady: false)
                if lastKey != nil || !derived.elementsEqual(lastDerived, by: { $0.0 == $1.0 && $0.1 == $1.1 }) {
                    lastKey = nil
                    lastDerived = derived
                    lastEnd = []
                    PrettyJSONPieces.closeObject(adding: derived, level: 2, to: &lastEnd)
                }
            }
            out.append(contentsOf: lastEnd)
        }
        return wrote
    }

    private mutating func keep(_ piece: Piece, for id: TaskID) {
        let old = pieces[id]?.opening.count ?? 0
        guard keptBytes - old + piece.opening.count <= Self.budget else { return }
        keptBytes += piece.opening.count - old
        pieces[id] = piece
    }

    /// Drops the pieces of tasks the graph no longer holds, once they are a tenth of those kept.
    mutating func forgetRemoved(from graph: TaskGraph) {
        guard pieces.count > graph.tasks.count + graph.tasks.count / 10 + 16 else { return }
        pieces = pieces.filter { graph.tasks.contains($0.key) }
        keptBytes = pieces.values.reduce(0) { $0 + $1.opening.count }
    }
}

/// Everything a ready task's derived members (`GraphView.derivedJSON`) depend on: it has no
/// blockers, so its readiness, its effective modes and its progress (only with children) tell
/// them. Two ready tasks with equal keys end their objects with the same bytes.
private struct ReadyDerivedKey: Equatable {
    var execution: ExecutionMode
    var branches: BranchModel
    var progress: DelegationProgress?

    init(_ task: CompactTaskRecord, graph: TaskGraph, inherited: ProjectModes) {
        execution = graph.effectiveExecution(of: task, project: inherited)
        branches = graph.effectiveBranches(of: task, project: inherited)
        let hasChildren = !graph.children(of: task).isEmpty
        progress = task.status == .delegated || hasChildren ? graph.progress(of: task.id) : nil
    }
}
