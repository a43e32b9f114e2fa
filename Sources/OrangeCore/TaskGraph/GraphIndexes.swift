/// The facts about the whole graph that a reconcile and a read need (the cycle index, the
/// parent/child links written on one side), kept exact change by change in time proportional to
/// the change instead of the graph. The engine holds one beside its graph, so a command's
/// reconcile and the engine's own do not walk every task for them (docs/performance.md,
/// section 6). Property-tested against `CycleIndex(graph:)` and `TaskGraph.linkProblems()`.
public struct GraphIndexes: Sendable {
    /// Exactly `CycleIndex(graph:)` of the graph last given (when `isCurrent`).
    public internal(set) var cycles: CycleIndex
    /// The link problems owned by each task (as the parent a child names, or as the task whose
    /// `children` lists it), only for tasks that have some.
    var problems: [TaskID: OwnedLinkProblems] = [:]
    /// Every ready task, with its creation time (the spawn order) and its place in `readyByGroup`.
    /// In pieces: a change after a reader took the indexes copies one piece, not 33,000 entries.
    /// Dense (72 bytes an entry and an 8-byte slot): a sharded dictionary of 33,000 had 65,536
    /// buckets of 72 bytes.
    var ready = DenseDictionary<TaskID, ReadyEntry>()
    /// The ready tasks by project and harness, then by `last_error`, with their creation times:
    /// the spawn step asks once per group whether its tasks can start here, and then looks only at
    /// the tasks whose `last_error` does not already say why not (`readyTasks(in:except:)`).
    var readyByGroup: [ReadyGroup: [String?: ShardedDictionary<TaskID, Int64>]] = [:]
    /// Every ready task in the list's order, kept so between graphs (`readyInOrder`).
    var readyOrder: [ReadyKey] = []
    /// What changed in the graph, update by update, for whoever keeps something derived from it
    /// (the engine's `--json` list): `changes(since:)`.
    public internal(set) var changeLog = ChangeLog()
    /// Every delegated task (the candidates for a reassess turn).
    public internal(set) var delegated: Set<TaskID> = []
    /// Every task that holds a workspace or a session (the candidates for a release).
    public internal(set) var holdingAgentResources: Set<TaskID> = []

    /// False after a batch too large to follow change by change: `refresh` then indexes the
    /// graph again from scratch, once, when the indexes are next needed.
    public private(set) var isCurrent = true

    /// A batch larger than this is indexed again from scratch: checking each new task's
    /// reachability one by one would cost more than one linear pass (the start-up batch).
    public static let largestIncrementalBatch = 256

    /// Marks the indexes stale without being told the changes (a batch larger than
    /// `largestIncrementalBatch`): `refresh` indexes the graph again from scratch.
    public mutating func invalidate() {
        isCurrent = false
        changeLog.forgetAll()
    }

    /// Every task at once, over the graph's integer places (`GraphIndexes+Dense.swift`).
    public init(graph: TaskGraph) {
        self.init(DenseTaskGraph(graph), graph)
    }

    /// The same indexes built task by task, as `update` keeps them, around a given cycle index:
    /// the oracle of the property tests (which pass the cycles found task by task).
    public init(taskByTask graph: TaskGraph, cycles: CycleIndex) {
        self.cycles = cycles
        // Compact records: a whole record built per task cost a second copy of the graph.
        for task in graph.tasks.compactValues {
            index(owner: task.id, in: graph)
            index(task: task.id, in: graph, ordered: false)
        }
        orderReady()
    }

    /// Exactly `graph.readiness(of: id, cycles:).isReady` with this cycle index.
    public func isReady(_ id: TaskID) -> Bool { ready[id] != nil }

    /// Exactly `graph.readyTasks(cycles:)` with this cycle index: every ready task, oldest first.
    public var readyTasks: [TaskID] { readyOrder.map(\.id) }

    /// Makes the indexes current for `graph` (the graph given to `update` last), indexing it
    /// from scratch if a batch was too large to follow.
    public mutating func refresh(_ graph: TaskGraph) {
        if !isCurrent { rebuild(graph) }
    }

    /// Indexes `graph` from scratch, the change log going on with everything before unknown.
    private mutating func rebuild(_ graph: TaskGraph) {
        take(rebuilt: GraphIndexes(graph: graph))
    }

    /// Takes indexes built from scratch elsewhere (the engine's worker) for the graph these
    /// are out of date for, as `refresh` would have built them: the change log goes on with
    /// everything before unknown.
    public mutating func take(rebuilt: GraphIndexes) {
        var log = changeLog
        log.forgetAll()
        self = rebuilt
        changeLog = log
    }

    /// Exactly `graph.linkProblems()`, in its order (when `isCurrent`).
    public var linkProblems: [LinkProblem] {
        let owners = problems.keys.sorted()
        return owners.flatMap { problems[$0]!.missing } + owners.flatMap { problems[$0]!.otherParent }
    }

    /// One task's change: the record before (nil: added) and after (nil: removed).
    /// Compact, as the engine's graph keeps them: a change costs no whole record.
    public struct Change: Sendable {
        public var old: CompactTaskRecord?
        public var new: CompactTaskRecord?

        public init(old: CompactTaskRecord?, new: CompactTaskRecord?) { (self.old, self.new) = (old, new) }

        public init(old: TaskRecord?, new: TaskRecord?) {
            self.init(old: old.map(CompactTaskRecord.init), new: new.map(CompactTaskRecord.init))
        }
    }

    /// Brings the indexes up to date with `graph`, which is the graph they were last given with
    /// `changes` applied.
    public mutating func update(_ changes: [Change], in graph: TaskGraph) {
        guard isCurrent, !changes.isEmpty else { return }
        guard changes.count <= Self.largestIncrementalBatch else {
            invalidate()
            return
        }
        var owners: Set<TaskID> = []
        for change in changes {
            guard let id = change.new?.id ?? change.old?.id else { continue }
            owners.insert(id)
            if let parent = change.old?.parent { owners.insert(parent) }
            if let parent = change.new?.parent { owners.insert(parent) }
            owners.formUnion(graph.parents(of: id))
        }
        for owner in owners { index(owner: owner, in: graph) }
        if cyclesMayHaveChanged(changes, in: graph) {
            rebuild(graph)
            return
        }
        // A task's readiness reads its own record and its blockers': a change touches its own
        // and its dependents'.
        var touched: Set<TaskID> = []
        for change in changes {
            guard let id = change.new?.id ?? change.old?.id else { continue }
            touched.insert(id)
            touched.formUnion(graph.dependents(of: id))
        }
        for id in touched { index(task: id, in: graph) }
        changeLog.record(Self.listedMembersChanged(by: changes, touched: touched, in: graph))
    }

    /// Recomputes what is kept about one task: ready, delegated, holding a workspace or session.
    private mutating func index(task id: TaskID, in graph: TaskGraph, ordered: Bool = true) {
        guard let task = graph.tasks.compact(id) else {
            setReady(id, nil, ordered: ordered)
            delegated.remove(id)
            holdingAgentResources.remove(id)
            return
        }
        setReady(
            id,
            graph.readiness(of: id, cycles: cycles).isReady
                ? ReadyEntry(
                    time: task.createdAt?.millisecondsSinceEpoch ?? Int64.min,
                    group: ReadyGroup(project: task.project, harness: task.harness),
                    lastError: task.lastError) : nil, ordered: ordered)
        if task.status == .delegated { delegated.insert(id) } else { delegated.remove(id) }
        if task.workspace != nil || task.tmuxSession != nil {
            holdingAgentResources.insert(id)
        } else {
            holdingAgentResources.remove(id)
        }
    }

    /// Whether the cycle index must be built again. With no cycle before, a cycle now must use
    /// an edge the changes added, which closes one exactly when its end reaches back to its
    /// start; edges only removed cannot make one. With cycles before, any change to an edge (or
    /// to a creation time, which orders the paths shown) rebuilds the index.
    private func cyclesMayHaveChanged(_ changes: [Change], in graph: TaskGraph) -> Bool {
        if !cycles.isEmpty {
            return changes.contains { change in
                guard let old = change.old, let new = change.new else { return true }
                return old.blockedBy != new.blockedBy || old.children != new.children || old.parent != new.parent
                    || old.createdAt != new.createdAt
            }
        }
        for change in changes {
            guard let new = change.new else { continue }
            guard let old = change.old else {
                // Every edge into or out of a new task is new: a cycle through it, if any. It
                // needs an edge in: a task blocked by it, listing it, or its parent.
                let waitedFor = !graph.dependents(of: new.id).isEmpty || !graph.parents(of: new.id).isEmpty
                if waitedFor && graph.cyclePath(from: new.id, to: new.id) != nil { return true }
                continue
            }
            let waitsFor = new.blockedBy.filter { !old.blockedBy.contains($0) } + new.children.filter { !old.children.contains($0) }
            for target in waitsFor where graph[target] != nil {
                if graph.cyclePath(from: target, to: new.id) != nil { return true }
            }
            // A parent named anew waits for this task: a cycle if this task reaches the parent.
            if let parent = new.parent, parent != old.parent, graph[parent] != nil {
                if graph.cyclePath(from: new.id, to: parent) != nil { return true }
            }
        }
        return false
    }

    /// Recomputes the problems `owner` owns, as `TaskGraph.linkProblems()` finds them.
    private mutating func index(owner: TaskID, in graph: TaskGraph) {
        let owned = graph.linkProblems(ownedBy: owner)
        problems[owner] = owned.isEmpty ? nil : owned
    }
}

/// The link problems one task owns: as the parent its children name (`missingFromParent`, by
/// child id) and as the task whose `children` lists them (`childNamesOtherParent`, in list order).
struct OwnedLinkProblems: Sendable {
    var missing: [LinkProblem] = []
    var otherParent: [LinkProblem] = []
    var isEmpty: Bool { missing.isEmpty && otherParent.isEmpty }
}

extension TaskGraph {
    func linkProblems(ownedBy owner: TaskID) -> OwnedLinkProblems {
        var owned = OwnedLinkProblems()
        guard let parent = tasks.compact(owner) else { return owned }
        // Past the parent's own list, `children(of:)` holds the tasks naming it but not listed.
        let unlisted = children(of: owner).dropFirst(parent.children.count)
        for child in unlisted.sorted() { owned.missing.append(.missingFromParent(child: child, parent: owner)) }
        for child in parent.children {
            if let record = tasks.compact(child), record.parent != owner {
                owned.otherParent.append(.childNamesOtherParent(child: child, listedBy: owner, names: record.parent))
            }
        }
        return owned
    }

    /// The problems of `linkProblems()` that name `id` as the child, the parent or the task
    /// listing it, in the same order; without sorting the whole graph (`task show`).
    public func linkProblems(involving id: TaskID) -> [LinkProblem] {
        var owners = Set(parents(of: id))
        owners.insert(id)
        let owned = owners.sorted().map { linkProblems(ownedBy: $0) }
        let all = owned.flatMap(\.missing) + owned.flatMap(\.otherParent)
        return all.filter { problem in
            switch problem {
            case .missingFromParent(let child, let parent): return child == id || parent == id
            case .childNamesOtherParent(let child, let listedBy, _): return child == id || listedBy == id
            }
        }
    }
}
