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
        let ids = Self.listedIDs(query, graph: engineGraph)
        var ends = ListElementEnds(engineGraph, modes: modes)
        var out = PrettyJSONPieces.envelopeOpening("tasks", capacity: ids.count * 1024)
        var first = true
        for id in ids {
            guard let task = graph.tasks.compact(id) else { continue }
            PrettyJSONPieces.startElement(first: first, in: &out)
            first = false
            out.append(contentsOf: opening(of: task, path: path))
            out.append(contentsOf: ends.bytes(ends.end(of: task), of: task))
        }
        PrettyJSONPieces.closeEnvelope(empty: first, in: &out)
        forgetRemoved(from: graph)
        return out
    }

    /// The tasks `query` lists, in the scan's order (created, then id; the ready index is kept
    /// in it already).
    static func listedIDs(_ query: TaskListQuery, graph engineGraph: IndexedGraph) -> [TaskID] {
        let graph = engineGraph.graph
        let indexes = engineGraph.indexes
        let statuses = Set(query.statuses)
        func selected(_ task: CompactTaskRecord) -> Bool {
            (query.project == nil || task.project == query.project!) && (statuses.isEmpty || statuses.contains(task.status))
                && (!query.blocked || (task.status == .pending && !indexes.isReady(task.id)))
        }
        if query.ready {
            let ready = indexes.readyTasks
            let unfiltered = query.project == nil && statuses.isEmpty && !query.blocked
            return unfiltered ? ready : ready.filter { graph.tasks.compact($0).map(selected) ?? false }
        }
        var keyed: [(key: ListOrderKey, id: TaskID)] = []
        for task in graph.tasks.compactValues where selected(task) { keyed.append((ListOrderKey(task), task.id)) }
        keyed.sort { $0.key < $1.key }
        return keyed.map(\.id)
    }

    /// `task`'s object opened with its file's members, kept while its record is the same.
    mutating func opening(of task: CompactTaskRecord, path: (TaskID, ProjectName) -> String) -> [UInt8] {
        if let kept = pieces[task.id], kept.record.holdsSameRecord(as: task) { return kept.opening }
        let members = task.record.json(path: path(task.id, task.project)).objectValue ?? []
        let opening = PrettyJSONPieces.objectOpening(members, level: 2)
        keep(Piece(record: task, opening: opening), for: task.id)
        return opening
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

/// A task's place in every list: created, then id (a task with no creation time first).
struct ListOrderKey: Comparable, Sendable {
    var created: Int64
    var id: TaskID

    init(_ task: CompactTaskRecord) {
        created = task.createdAt?.millisecondsSinceEpoch ?? Int64.min
        id = task.id
    }

    static func < (lhs: ListOrderKey, rhs: ListOrderKey) -> Bool {
        lhs.created != rhs.created ? lhs.created < rhs.created : lhs.id < rhs.id
    }
}

/// What ends a listed task's object (its derived members): for a ready task the few values they
/// depend on, compared without building them; for another, the bytes themselves.
enum ListElementEnd: Equatable, Sendable {
    case ready(ReadyDerivedKey)
    case other([UInt8])
}

/// Tells and writes the ends of listed tasks' objects, one list at a time. Most tasks of a list
/// end alike (ready, the project's modes, no progress): the end of the task before is used
/// again when the same, and the project's modes are looked up once per run of one project.
struct ListElementEnds {
    private let graph: TaskGraph
    private let indexes: GraphIndexes
    private var view: GraphView
    private var lastModes: (project: ProjectName, modes: ProjectModes)?
    private var lastKey: ReadyDerivedKey?
    private var lastBytes: [UInt8] = []

    init(_ engineGraph: IndexedGraph, modes: [ProjectName: ProjectModes]) {
        graph = engineGraph.graph
        indexes = engineGraph.indexes
        view = GraphView(graph: graph, cycles: indexes.cycles)
        view.projectModes = modes
    }

    mutating func end(of task: CompactTaskRecord) -> ListElementEnd {
        guard indexes.isReady(task.id) else {
            var bytes: [UInt8] = []
            PrettyJSONPieces.closeObject(adding: view.derivedJSON(for: task, knownReady: false), level: 2, to: &bytes)
            return .other(bytes)
        }
        if lastModes?.project != task.project { lastModes = (task.project, view.modes(task.project)) }
        return .ready(ReadyDerivedKey(task, graph: graph, inherited: lastModes!.modes))
    }

    mutating func bytes(_ end: ListElementEnd, of task: CompactTaskRecord) -> [UInt8] {
        switch end {
        case .other(let bytes): return bytes
        case .ready(let key):
            if key != lastKey {
                lastKey = key
                lastBytes = []
                PrettyJSONPieces.closeObject(adding: view.derivedJSON(for: task, knownReady: true), level: 2, to: &lastBytes)
            }
            return lastBytes
        }
    }
}

/// Everything a ready task's derived members (`GraphView.derivedJSON`) depend on: it has no
/// blockers, so its readiness, its effective modes and its progress (only with children) tell
/// them. Two ready tasks with equal keys end their objects with the same bytes.
struct ReadyDerivedKey: Equatable, Sendable {
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
