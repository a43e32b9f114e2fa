/// How the tasks of one scope (a delegated parent's children, or a project's top-level tasks)
/// run: `parallel` starts every ready task while slots are free; `sequential` runs one at a
/// time and, under a parent, gives the parent a turn to reassess after each child is done.
public enum ExecutionMode: String, CaseIterable, Sendable, Hashable {
    case sequential
    case parallel

    public static var allNames: String { allCases.map(\.rawValue).joined(separator: "|") }
}

/// Where a sub-task's branch starts and merges: `flat` from and into the default branch;
/// `hierarchical` from and into its parent's branch, the parent's branch then reviewed once.
public enum BranchModel: String, CaseIterable, Sendable, Hashable {
    case flat
    case hierarchical

    public static var allNames: String { allCases.map(\.rawValue).joined(separator: "|") }
}

/// The project-wide defaults a task inherits when neither it nor an ancestor sets a mode.
public struct ProjectModes: Hashable, Sendable {
    public var execution: ExecutionMode
    public var branches: BranchModel

    public init(execution: ExecutionMode = .parallel, branches: BranchModel = .flat) {
        self.execution = execution
        self.branches = branches
    }
}

/// A parent whose child is done and which, being sequential, gets a turn before the next child
/// starts.
public struct ReassessTurn: Hashable, Sendable {
    public var parent: TaskID
    /// The done children the parent has not reassessed yet, oldest first.
    public var finished: [TaskID]

    public init(parent: TaskID, finished: [TaskID]) {
        self.parent = parent
        self.finished = finished
    }
}

extension TaskGraph {
    /// The task's own setting, else its nearest ancestor's, else the project's. Computed, never
    /// copied: changing a parent's mode changes its whole sub-tree at the next decision.
    public func effectiveExecution(of id: TaskID, project: ProjectModes) -> ExecutionMode {
        firstAlongAncestors(from: id) { $0.execution } ?? project.execution
    }

    public func effectiveBranches(of id: TaskID, project: ProjectModes) -> BranchModel {
        firstAlongAncestors(from: id) { $0.branches } ?? project.branches
    }

    /// `effectiveExecution(of:)` of a task whose record (the graph's) is at hand: its own
    /// setting read from it, its ancestors looked up only when it has a parent. (A walk from the
    /// parent that comes back to the task finds its setting nil again: the same answer.)
    public func effectiveExecution(of task: CompactTaskRecord, project: ProjectModes) -> ExecutionMode {
        task.execution ?? task.parent.flatMap { firstAlongAncestors(from: $0) { $0.execution } } ?? project.execution
    }

    /// `effectiveBranches(of:)` of a task whose record (the graph's) is at hand.
    public func effectiveBranches(of task: CompactTaskRecord, project: ProjectModes) -> BranchModel {
        task.branches ?? task.parent.flatMap { firstAlongAncestors(from: $0) { $0.branches } } ?? project.branches
    }

    /// The first non-nil `value` on the chain task, parent, grandparent…; a cycle of parents
    /// (a hand edit) ends the walk. Read on the compact records: a list asks it of every task
    /// it prints, and building each whole record was most of the cost.
    private func firstAlongAncestors<T>(from id: TaskID, _ value: (CompactTaskRecord) -> T?) -> T? {
        var seen: Set<TaskID> = []
        var current: TaskID? = id
        while let at = current, let task = tasks.compact(at) {
            if let found = value(task) { return found }
            // A task without a parent (nearly every one) ends here, before the set is filled.
            guard let parent = task.parent, seen.insert(at).inserted else { return nil }
            current = parent
        }
        return nil
    }

    /// The parent a task's scope belongs to: its `parent` when that task exists.
    public func scopeParent(of id: TaskID) -> TaskID? {
        guard let parent = tasks[id]?.parent, tasks[parent] != nil else { return nil }
        return parent
    }

    /// Whether the task occupies its scope: it has an agent (working, clarification, reviewing,
    /// reviewed, stuck) or it is delegated (its sub-tree is being worked).
    public func occupiesScope(_ id: TaskID) -> Bool {
        guard let status = tasks[id]?.status else { return false }
        return status.hasAgent || status == .delegated
    }

    /// The mode that governs the scope the task belongs to: its parent's effective mode, or the
    /// project's for a top-level task.
    public func scopeExecution(of id: TaskID, project: ProjectModes) -> ExecutionMode {
        if let parent = scopeParent(of: id) { return effectiveExecution(of: parent, project: project) }
        return project.execution
    }

    /// Sequential parents that are due a reassess turn: delegated, a child done that the parent
    /// has not reassessed yet, no child running, and something left to start (a pending child).
    /// Auto-completion wins: a parent whose children are all done is never given a turn.
    /// `delegated`: the delegated tasks when already known (`GraphIndexes`), else found here.
    public func dueReassessments(modes: (ProjectName) -> ProjectModes, delegated: Set<TaskID>? = nil) -> [ReassessTurn] {
        var turns: [ReassessTurn] = []
        for id in inCreationOrder(delegated.map(Array.init) ?? tasks.values.filter { $0.status == .delegated }.map(\.id)) {
            let parent = tasks[id]!
            guard effectiveExecution(of: id, project: modes(parent.project)) == .sequential else { continue }
            let children = children(of: id)
            guard !children.contains(where: occupiesScope),
                children.contains(where: { tasks[$0]?.status == .pending })
            else { continue }
            let finished = inCreationOrder(children.filter { tasks[$0]?.status == .done && !parent.reassessed.contains($0) })
            if !finished.isEmpty { turns.append(ReassessTurn(parent: id, finished: finished)) }
        }
        return turns
    }
}

extension TaskGraph {
    /// The parent whose branch this task starts from and merges into: its parent when the
    /// parent's effective branch model is hierarchical; nil means the default branch.
    public func branchParent(of id: TaskID, project: ProjectModes) -> TaskID? {
        guard let parent = scopeParent(of: id), effectiveBranches(of: parent, project: project) == .hierarchical else { return nil }
        return parent
    }

    /// Whether the task's own branch gathers its children's work (it has children and its
    /// effective branch model is hierarchical): then it is reviewed and merged as one.
    public func aggregatesChildren(_ id: TaskID, project: ProjectModes) -> Bool {
        !children(of: id).isEmpty && effectiveBranches(of: id, project: project) == .hierarchical
    }
}

extension TaskGraph {
    /// Why a ready task of a sequential scope does not start now, or nil when its scope lets it
    /// (for `task why`): the parent is not delegated (its reassess turn), or another task of the
    /// scope runs.
    public func sequentialHold(of id: TaskID, project: ProjectModes) -> String? {
        guard let task = tasks[id], scopeExecution(of: id, project: project) == .sequential else { return nil }
        if let parent = scopeParent(of: id) {
            let status = tasks[parent]!.status
            if status != .delegated {
                return
                    "the sub-tasks of \(parent) run one at a time (sequential) and start only while it is delegated; it is \(status.rawValue)"
            }
            if let running = children(of: parent).first(where: { $0 != id && occupiesScope($0) }) {
                return "the sub-tasks of \(parent) run one at a time (sequential): \(running) is \(tasks[running]!.status.rawValue)"
            }
            return nil
        }
        let running = inCreationOrder(
            tasks.values.filter {
                $0.project == task.project && $0.id != id && scopeParent(of: $0.id) == nil && occupiesScope($0.id)
            }.map(\.id)
        ).first
        return running.map { "project \(task.project) runs one task at a time (sequential): \($0) is \(tasks[$0]!.status.rawValue)" }
    }
}
