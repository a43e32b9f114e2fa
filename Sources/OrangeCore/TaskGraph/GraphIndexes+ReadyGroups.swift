/// The ready tasks by project and harness, for the spawn step: whether a task can start on this
/// machine depends on those two only (its project registered, tmux and its harness installed), so
/// the step asks once per group, and of a group that cannot start it looks only at the tasks whose
/// `last_error` does not say so yet. At 100,000 tasks with no agent installed, the 33,000 ready
/// tasks were each built and checked at every change (docs/performance.md, section 6).
extension GraphIndexes {
    /// A project and a harness.
    public struct ReadyGroup: Hashable, Sendable {
        public var project: ProjectName
        public var harness: String

        public init(project: ProjectName, harness: String) { (self.project, self.harness) = (project, harness) }
    }

    /// What `ready` keeps of a ready task.
    struct ReadyEntry: Sendable {
        var time: Int64
        var group: ReadyGroup
        var lastError: String?
    }

    /// Every group with a ready task.
    public var readyGroups: [ReadyGroup] { Array(readyByGroup.keys) }

    /// One ready task of `group`, to ask whether the group's tasks can start.
    public func anyReadyTask(in group: ReadyGroup) -> TaskID? {
        readyByGroup[group]?.values.lazy.compactMap { $0.entries.first?.key }.first
    }

    /// The ready tasks of `group` whose `last_error` is not `lastError` (every one of them when
    /// nil), oldest first: exactly `readyTasks` filtered so.
    public func readyTasks(in group: ReadyGroup, except lastError: String?) -> [TaskID] {
        var found: [(time: Int64, id: TaskID)] = []
        for (error, tasks) in readyByGroup[group] ?? [:] where lastError == nil || error != lastError {
            found += tasks.entries.map { (time: $0.value, id: $0.key) }
        }
        return found.sorted { $0.time != $1.time ? $0.time < $1.time : $0.id < $1.id }.map(\.id)
    }

    /// Sets whether `id` is ready (nil: not), keeping `readyByGroup` in step.
    /// `ordered` false: `readyOrder` is left to `orderReady` (a whole graph at once).
    mutating func setReady(_ id: TaskID, _ entry: ReadyEntry?, ordered: Bool = true) {
        let old = entry == nil ? ready.removeValue(forKey: id) : ready.updateValue(entry!, forKey: id)
        if ordered { reorderReady(id, old: old, new: entry) }
        if let old {
            readyByGroup[old.group]?[old.lastError]?.removeValue(forKey: id)
            if readyByGroup[old.group]?[old.lastError]?.isEmpty == true { readyByGroup[old.group]?[old.lastError] = nil }
            if readyByGroup[old.group]?.isEmpty == true { readyByGroup[old.group] = nil }
        }
        if let entry {
            readyByGroup[entry.group, default: [:]][entry.lastError, default: ShardedDictionary()].updateValue(entry.time, forKey: id)
        }
    }
}
