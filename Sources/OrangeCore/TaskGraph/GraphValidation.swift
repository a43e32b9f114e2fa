/// Why a new task or an edit would break the graph. Messages are for people and name the task.
public enum GraphValidationError: Error, Hashable, Sendable, CustomStringConvertible {
    case blockerMissing(TaskID)
    case blockerInOtherProject(TaskID, blockerProject: ProjectName, project: ProjectName)
    case blockedBySelf(TaskID)
    case parentMissing(TaskID)
    case parentInOtherProject(TaskID, parentProject: ProjectName, project: ProjectName)
    case parentIsSelf(TaskID)
    case cycle([TaskID])

    public var description: String {
        switch self {
        case .blockerMissing(let id): return "blocked_by: task '\(id)' does not exist"
        case .blockerInOtherProject(let id, let other, let project):
            return "blocked_by: task '\(id)' is in project '\(other)', not '\(project)' (cross-project dependencies are not supported)"
        case .blockedBySelf(let id): return "task \(id) cannot be blocked by itself"
        case .parentMissing(let id): return "parent: task '\(id)' does not exist"
        case .parentInOtherProject(let id, let other, let project):
            return "parent: task '\(id)' is in project '\(other)', not '\(project)'"
        case .parentIsSelf(let id): return "task \(id) cannot be its own parent"
        case .cycle(let path): return formatCycle(path)
        }
    }
}

extension TaskGraph {
    /// Checks a task about to be created (or its edited form) against the rest of the graph:
    /// blockers and parent exist, are in the same project, are not the task itself, and no new
    /// edge closes a cycle over blocked_by and parent edges together. Only edges that are new
    /// compared with `previous` are checked, so an old dangling blocker or a cycle made by hand
    /// does not stop an unrelated edit.
    public func validate(_ task: TaskRecord, previous: TaskRecord? = nil) throws(GraphValidationError) {
        let oldBlockers = Set(previous?.blockedBy ?? [])
        for blocker in task.blockedBy where !oldBlockers.contains(blocker) {
            if blocker == task.id { throw .blockedBySelf(task.id) }
            guard let record = tasks[blocker] else { throw .blockerMissing(blocker) }
            if record.project != task.project {
                throw .blockerInOtherProject(blocker, blockerProject: record.project, project: task.project)
            }
        }
        if let parent = task.parent, parent != previous?.parent {
            if parent == task.id { throw .parentIsSelf(task.id) }
            guard let record = tasks[parent] else { throw .parentMissing(parent) }
            if record.project != task.project {
                throw .parentInOtherProject(parent, parentProject: record.project, project: task.project)
            }
        }
        // Cycle check on the graph with the change applied: the task waits for its blockers and
        // children; its parent waits for it.
        var candidate = self
        candidate.upsert(task)
        if let parent = task.parent, var parentRecord = candidate[parent], !parentRecord.children.contains(task.id) {
            parentRecord.children.append(task.id)
            candidate.upsert(parentRecord)
        }
        var newEdges = task.blockedBy.filter { !oldBlockers.contains($0) }.map { (waiter: task.id, waitsFor: $0) }
        if let parent = task.parent, parent != previous?.parent { newEdges.append((waiter: parent, waitsFor: task.id)) }
        if let path = candidate.cycleClosed(byAnyOf: newEdges) { throw .cycle(path) }
    }
}
