/// The graph as commands see it: one scan of the tasks, indexed once, with the cycle index,
/// answering every question through the single readiness definition in `TaskGraph`.
public struct GraphView: Sendable {
    public let graph: TaskGraph
    public let cycles: CycleIndex
    /// Each project's modes, for the effective mode of a task (`execution`/`branches` shown).
    public var projectModes: [ProjectName: ProjectModes] = [:]

    public init(tasks: [TaskRecord]) {
        self.init(graph: TaskGraph(tasks))
    }

    /// `cycles`: the graph's cycle index when already known (the engine keeps it up to date,
    /// `GraphIndexes`); built here otherwise.
    public init(graph: TaskGraph, cycles: CycleIndex? = nil) {
        self.graph = graph
        self.cycles = cycles ?? CycleIndex(graph: graph)
    }

    public func modes(_ project: ProjectName) -> ProjectModes { projectModes[project] ?? ProjectModes() }
    public func execution(of task: TaskRecord) -> ExecutionMode { graph.effectiveExecution(of: task.id, project: modes(task.project)) }
    public func branches(of task: TaskRecord) -> BranchModel { graph.effectiveBranches(of: task.id, project: modes(task.project)) }

    /// `sequential (own)`, `parallel (from a1b2c3)`, `flat (project)`: the mode and where it comes from.
    public func describeModes(_ task: TaskRecord) -> (execution: String, branches: String) {
        func source(_ own: Bool, _ find: (TaskRecord) -> Bool) -> String {
            if own { return "own" }
            var seen: Set<TaskID> = [task.id]
            var at = task.parent
            while let id = at, let ancestor = graph[id], seen.insert(id).inserted {
                if find(ancestor) { return "from \(id)" }
                at = ancestor.parent
            }
            return "project"
        }
        return (
            "\(execution(of: task).rawValue) (\(source(task.execution != nil) { $0.execution != nil }))",
            "\(branches(of: task).rawValue) (\(source(task.branches != nil) { $0.branches != nil }))"
        )
    }

    public func task(_ id: TaskID) -> TaskRecord? { graph[id] }
    public func children(of id: TaskID) -> [TaskID] { graph.children(of: id) }
    public func readiness(_ id: TaskID) -> Readiness { graph.readiness(of: id, cycles: cycles) }
    public func isReady(_ id: TaskID) -> Bool { readiness(id).isReady }
    public func statusLabel(_ task: TaskRecord) -> String { graph.statusLabel(of: task.id) }

    /// A short note for list rows: `ready`, `blocked by x (working)`, `on a cycle`.
    public func readinessNote(_ task: TaskRecord) -> String {
        switch readiness(task.id) {
        case .ready: return "ready"
        case .notPending: return ""
        case .onCycle(let path): return formatCycle(path)
        case .held: return readiness(task.id).holdExplanation(task.id) ?? ""
        case .blocked(let blockers): return "blocked: " + blockers.map(\.description).joined(separator: ", ")
        }
    }

    public func readinessSummary(_ task: TaskRecord) -> String {
        switch readiness(task.id) {
        case .ready: return "ready"
        case .notPending(let status): return "not pending (\(status.rawValue))"
        case .onCycle(let path): return "blocked: on a dependency \(formatCycle(path))"
        case .held: return readiness(task.id).holdExplanation(task.id) ?? ""
        case .blocked(let blockers): return "blocked: " + blockers.map(\.description).joined(separator: ", ")
        }
    }

    /// `abc123 [working] branch` or `abc123 does not exist`.
    public func describeReference(_ id: TaskID) -> String {
        guard let task = graph[id] else { return "\(id) does not exist" }
        return "\(task.status.icon) \(id) [\(graph.statusLabel(of: id))] \(task.branch)"
    }

    /// Problems to show on a task: cycles, links written on one side, dangling references.
    public func diagnostics(for id: TaskID) -> [String] {
        var problems: [String] = []
        if let path = cycles.path(through: id) { problems.append("on a dependency \(formatCycle(path))") }
        for problem in graph.linkProblems(involving: id) {
            switch problem {
            case .missingFromParent(let child, let parent) where child == id || parent == id: problems.append(problem.description)
            case .childNamesOtherParent(let child, let listedBy, _) where child == id || listedBy == id:
                problems.append(problem.description)
            default: break
            }
        }
        if let fields = graph[id].flatMap(TaskFileMerge.conflictFields(of:)) { problems.append(TaskFileMerge.conflictReport(fields)) }
        if let task = graph[id], task.status == .delegated, graph.progress(of: id).needsAttention {
            problems.append("a child was cancelled or failed: this task stays delegated until a person acts")
        }
        return problems
    }

    public func why(_ id: TaskID, readyNote: (TaskID) -> String? = { _ in nil }) -> [String] {
        graph.why(id, cycles: cycles, readyNote: readyNote)
    }
    public func renderTree(_ tasks: [TaskRecord]) -> String { graph.renderTree(tasks.map(\.id)) }
    public func renderDot() -> String { graph.renderDot() }
    public func renderMermaid() -> String { graph.renderMermaid() }

    public func json(for task: TaskRecord, path: String) -> JSONValue {
        let base = task.json(path: path)
        guard case .object(let pairs) = base else { return base }
        return .object(pairs + derivedJSON(for: task.id, project: task.project, status: task.status))
    }

    /// The members of a task's JSON that come from the graph, not from its file (readiness,
    /// effective modes, blockers, progress): what an engine renders again for a kept task.
    /// `knownReady`: the caller's index says the task is ready (exactly `readiness(id) == .ready`).
    public func derivedJSON(for id: TaskID, project: ProjectName, status: TaskStatus, knownReady: Bool = false) -> [(String, JSONValue)] {
        let inherited = modes(project)
        return derivedJSON(
            id, status, readiness: knownReady ? .ready : readiness(id), execution: graph.effectiveExecution(of: id, project: inherited),
            branches: graph.effectiveBranches(of: id, project: inherited), hasChildren: !graph.children(of: id).isEmpty)
    }

    /// `derivedJSON` of the graph's own compact record of a task, read from the record in hand
    /// rather than looked up again by id (a list of 33,000 tasks at 100,000 paid a cache miss
    /// for each lookup).
    public func derivedJSON(for task: CompactTaskRecord, knownReady: Bool = false) -> [(String, JSONValue)] {
        let inherited = modes(task.project)
        return derivedJSON(
            task.id, task.status, readiness: knownReady ? .ready : readiness(task.id),
            execution: graph.effectiveExecution(of: task, project: inherited),
            branches: graph.effectiveBranches(of: task, project: inherited),
            hasChildren: !graph.children(of: task).isEmpty)
    }

    private func derivedJSON(
        _ id: TaskID, _ status: TaskStatus, readiness: Readiness, execution: ExecutionMode, branches: BranchModel, hasChildren: Bool
    ) -> [(String, JSONValue)] {
        var pairs: [(String, JSONValue)] = []
        pairs.append(("ready", .bool(readiness.isReady)))
        pairs.append(("effective_execution", .string(execution.rawValue)))
        pairs.append(("effective_branches", .string(branches.rawValue)))
        // Every key is always there (docs/json.md): empty or null when it does not apply.
        var blockers: [JSONValue] = []
        if case .blocked(let list) = readiness {
            blockers = list.map { .object([("id", .string($0.id.rawValue)), ("reason", .string($0.description))]) }
        }
        pairs.append(("blockers", .array(blockers)))
        if status == .delegated || hasChildren {
            let p = graph.progress(of: id)
            pairs.append(("progress", .object([("done", .int(Int64(p.done))), ("total", .int(Int64(p.total)))])))
            pairs.append(("needs_attention", .bool(p.needsAttention)))
        } else {
            pairs.append(("progress", .null))
            pairs.append(("needs_attention", .null))
        }
        return pairs
    }

    public func checkTransition(_ task: TaskRecord, to status: TaskStatus, by actor: TransitionActor) throws {
        do {
            try TransitionTable.check(task.id, from: task.status, to: status, by: actor)
        } catch {
            throw GraphRuleViolation(error.description)
        }
        if status == .delegated && graph.children(of: task.id).isEmpty {
            throw GraphRuleViolation(
                "cannot delegate \(task.id): it has no sub-tasks yet; create them with 'orange task create … --parent \(task.id)' first")
        }
    }

    public func validateEdit(old: TaskRecord, new: TaskRecord) throws {
        do { try graph.validate(new, previous: old) } catch { throw GraphRuleViolation(error.description) }
    }

    public func dueAutoCompletions(changed: [TaskID]?) -> (completions: [TaskID], reviews: [TaskID]) {
        let evaluation = graph.evaluate(changed: changed, cycles: cycles, readiness: false) { id in
            graph[id].map { graph.aggregatesChildren(id, project: modes($0.project)) } ?? false
        }
        return (evaluation.completions, evaluation.reviews)
    }
}

/// A command asked for something the graph's rules refuse (a transition, an edge, a delegation).
public struct GraphRuleViolation: Error, Sendable, CustomStringConvertible {
    public var description: String

    public init(_ description: String) { self.description = description }
}
