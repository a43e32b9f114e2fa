/// An index over a set of tasks with the reverse edges the rules need: who is blocked by a
/// task, and who are a task's children.
///
/// Children are the union of the parent's `children` list and the tasks whose `parent` names
/// it: after a crash between the two writes they can disagree, and readiness must not depend on
/// which half was written (`linkProblems` reports the difference for repair).
public struct TaskGraph: Sendable {
    public private(set) var tasks = TaskTable()
    /// blocker → tasks that list it in `blocked_by`. (Sharded, as the table: a change after a
    /// reader took the graph copies one shard. `TaskIDSet`: most hold one task.)
    private var dependentsIndex = ShardedDictionary<TaskID, TaskIDSet>()
    /// parent → tasks whose `parent` field names it.
    private var childrenByParentField = ShardedDictionary<TaskID, TaskIDSet>()
    /// child → tasks that list it in `children`.
    private var parentsByChildrenList = ShardedDictionary<TaskID, TaskIDSet>()

    public init(_ records: [TaskRecord] = []) {
        tasks.reserveCapacity(records.count)
        for record in records { upsert(record) }
    }

    public subscript(id: TaskID) -> TaskRecord? { tasks[id] }

    /// Room for `count` tasks in the table (the indexes grow as edges come).
    public mutating func reserveCapacity(_ count: Int) {
        tasks.reserveCapacity(count)
    }

    public var count: Int { tasks.count }

    /// Adds or replaces one task, updating the indexes in time proportional to its edges.
    public mutating func upsert(_ record: TaskRecord) {
        upsert(CompactTaskRecord(record))
    }

    /// `upsert` of a record already in its compact form (the engine's reads arrive so); returns
    /// the record it replaced.
    @discardableResult
    public mutating func upsert(_ record: CompactTaskRecord) -> CompactTaskRecord? {
        let old = tasks.upsert(record)
        if let old { unindex(old) }
        for blocker in record.blockedBy { dependentsIndex.modify(blocker, default: []) { $0.insert(record.id) } }
        if let parent = record.parent { childrenByParentField.modify(parent, default: []) { $0.insert(record.id) } }
        for child in record.children { parentsByChildrenList.modify(child, default: []) { $0.insert(record.id) } }
        return old
    }

    public mutating func remove(_ id: TaskID) {
        guard let old = tasks.removeCompact(id) else { return }
        unindex(old)
    }

    private mutating func unindex(_ record: CompactTaskRecord) {
        for blocker in record.blockedBy { dependentsIndex.remove(record.id, fromSetOf: blocker) }
        if let parent = record.parent { childrenByParentField.remove(record.id, fromSetOf: parent) }
        for child in record.children { parentsByChildrenList.remove(record.id, fromSetOf: child) }
    }

    /// The tasks `id` is a child of: its `parent`, plus any task listing it in `children`.
    public func parents(of id: TaskID) -> [TaskID] {
        var result = parentsByChildrenList[id].map { Array($0).sorted() } ?? []
        if let parent = tasks.compact(id)?.parent, !result.contains(parent) { result.insert(parent, at: 0) }
        return result
    }

    /// Tasks that list `id` in their `blocked_by`, sorted for stable output.
    public func dependents(of id: TaskID) -> [TaskID] {
        (dependentsIndex[id] ?? []).sorted()
    }

    /// The parent's children: its `children` list in order, then any task that names it as
    /// parent but is missing from that list.
    public func children(of id: TaskID) -> [TaskID] {
        children(listed: tasks.compact(id)?.children ?? [], of: id)
    }

    /// `children(of:)` of a task whose record (the graph's) is at hand.
    public func children(of task: CompactTaskRecord) -> [TaskID] {
        children(listed: task.children, of: task.id)
    }

    private func children(listed: [TaskID], of id: TaskID) -> [TaskID] {
        // Nearly every task is nobody's parent: nothing to add or sort.
        guard let named = childrenByParentField[id] else { return listed }
        let extra = named.filter { !listed.contains($0) }
        return listed + extra.sorted { creationOrder(tasks.compact($0), tasks.compact($1)) }
    }

    /// Parent/children links written on one side only (a crash between the two writes, or a hand edit).
    public func linkProblems() -> [LinkProblem] {
        var problems: [LinkProblem] = []
        for (parentID, children) in childrenByParentField.entries.sorted(by: { $0.key < $1.key }) {
            guard let parent = tasks.compact(parentID) else { continue }
            for child in children.sorted() where !parent.children.contains(child) {
                problems.append(.missingFromParent(child: child, parent: parentID))
            }
        }
        for parent in tasks.compactValues.sorted(by: { $0.id < $1.id }) {
            for child in parent.children {
                if let record = tasks.compact(child), record.parent != parent.id {
                    problems.append(.childNamesOtherParent(child: child, listedBy: parent.id, names: record.parent))
                }
            }
        }
        return problems
    }

    /// Tasks sorted by creation time, then id: the order in which ready tasks are spawned.
    public func inCreationOrder(_ ids: some Sequence<TaskID>) -> [TaskID] {
        // Each task's sort key is looked up once: looking records up inside the comparison
        // made the engine's start-up batch (every task at once) spend seconds sorting.
        ids.map { (time: tasks.compact($0)?.createdAt?.millisecondsSinceEpoch ?? Int64.min, id: $0) }
            .sorted { $0.time != $1.time ? $0.time < $1.time : $0.id < $1.id }
            .map(\.id)
    }
}

/// A parent/child link that only one side records.
public enum LinkProblem: Hashable, Sendable, CustomStringConvertible {
    /// The child's `parent` names the parent, but the parent's `children` lacks it.
    case missingFromParent(child: TaskID, parent: TaskID)
    /// The parent lists the child, but the child names another parent (or none).
    case childNamesOtherParent(child: TaskID, listedBy: TaskID, names: TaskID?)

    public var description: String {
        switch self {
        case .missingFromParent(let child, let parent):
            return "\(child) names \(parent) as its parent, but \(parent)'s children do not list it"
        case .childNamesOtherParent(let child, let listedBy, let names):
            return "\(listedBy) lists \(child) as a child, but \(child)'s parent is \(names.map(\.rawValue) ?? "null")"
        }
    }
}

func creationOrder(_ a: CompactTaskRecord?, _ b: CompactTaskRecord?) -> Bool {
    let x = a?.createdAt?.millisecondsSinceEpoch ?? Int64.min
    let y = b?.createdAt?.millisecondsSinceEpoch ?? Int64.min
    if x != y { return x < y }
    return (a?.id.rawValue ?? "") < (b?.id.rawValue ?? "")
}

func creationOrder(_ a: TaskRecord?, _ b: TaskRecord?) -> Bool {
    let x = a?.createdAt?.millisecondsSinceEpoch ?? Int64.min
    let y = b?.createdAt?.millisecondsSinceEpoch ?? Int64.min
    if x != y { return x < y }
    return (a?.id.rawValue ?? "") < (b?.id.rawValue ?? "")
}
