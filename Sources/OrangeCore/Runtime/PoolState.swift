/// One pooled worktree, `<project>--<n>`, and the task bound to it, if any.
public struct WorkspaceSlot: Hashable, Sendable {
    public var project: ProjectName
    public var number: Int
    /// The task using the worktree. The binding names the task by id, not by branch, so a branch
    /// rename can never orphan a live workspace (the original's bug B4).
    public var task: TaskID?

    public init(project: ProjectName, number: Int, task: TaskID? = nil) {
        self.project = project
        self.number = number
        self.task = task
    }

    public var name: String { "\(project)--\(number)" }

    /// Parses `<project>--<n>`; nil for anything else (a folder name is never trusted blindly).
    public static func parse(name: String) -> (ProjectName, Int)? {
        guard let separator = name.firstRange(of: "--") else { return nil }
        guard let project = ProjectName(validating: String(name[..<separator.lowerBound])),
            let number = Int(name[separator.upperBound...]), number >= 1, number <= 999,
            String(number) == name[separator.upperBound...]
        else { return nil }
        return (project, number)
    }
}

/// What acquiring a slot for a task comes to.
public enum PoolDecision: Hashable, Sendable {
    /// Reuse an existing, free worktree.
    case reuse(WorkspaceSlot)
    /// No free worktree, but the pool may grow: create this one.
    case create(WorkspaceSlot)
    /// Every slot is bound and the pool is at its size: the task waits.
    case exhausted(used: Int, size: Int)
}

/// The workspace pool (`workspaces/.pool.json`): which worktrees exist and who uses them.
///
/// Pure bookkeeping; the git work and the lock around read-modify-write live elsewhere.
public struct PoolState: Hashable, Sendable {
    public var slots: [WorkspaceSlot]

    public init(slots: [WorkspaceSlot] = []) {
        self.slots = slots.sorted { ($0.project, $0.number) < ($1.project, $1.number) }
    }

    public func slots(of project: ProjectName) -> [WorkspaceSlot] {
        slots.filter { $0.project == project }
    }

    public func slot(named name: String) -> WorkspaceSlot? {
        slots.first { $0.name == name }
    }

    public func slot(boundTo task: TaskID) -> WorkspaceSlot? {
        slots.first { $0.task == task }
    }

    /// How many more tasks of `project` could start now: free worktrees plus room to grow.
    public func freeCount(of project: ProjectName, poolSize: Int) -> Int {
        let mine = slots(of: project)
        let bound = mine.filter { $0.task != nil }.count
        return max(0, poolSize - bound)
    }

    /// Picks a slot for `task`: the task's own slot if it already has one, else the lowest-numbered
    /// free worktree, else a new one with the lowest unused number, while the pool is under size.
    public func decide(for task: TaskID, in project: ProjectName, poolSize: Int) -> PoolDecision {
        if let own = slot(boundTo: task) { return .reuse(own) }
        let mine = slots(of: project)
        let bound = mine.filter { $0.task != nil }.count
        if bound >= poolSize { return .exhausted(used: bound, size: poolSize) }
        if let free = mine.first(where: { $0.task == nil }) { return .reuse(free) }
        let used = Set(mine.map(\.number))
        let number = (1...).first { !used.contains($0) }!
        return .create(WorkspaceSlot(project: project, number: number))
    }

    /// Records that `task` now uses the slot (adding the slot if it is new).
    public mutating func bind(_ slot: WorkspaceSlot, to task: TaskID) {
        var bound = slot
        bound.task = task
        if let index = slots.firstIndex(where: { $0.name == slot.name }) {
            slots[index] = bound
        } else {
            slots.append(bound)
            slots.sort { ($0.project, $0.number) < ($1.project, $1.number) }
        }
    }

    /// Frees the slot; the worktree stays for the next task.
    public mutating func release(_ name: String) {
        if let index = slots.firstIndex(where: { $0.name == name }) { slots[index].task = nil }
    }

    public mutating func remove(_ name: String) {
        slots.removeAll { $0.name == name }
    }

    // MARK: - File form

    /// `{"workspaces": {"coffee--1": {"status": "bound", "task": "<id>"}, "coffee--2": {"status": "available"}}}`
    public var json: JSONValue {
        .object([
            (
                "workspaces",
                .object(
                    slots.map { slot in
                        (
                            slot.name,
                            slot.task.map { .object([("status", "bound"), ("task", .string($0.rawValue))]) }
                                ?? .object([("status", "available")])
                        )
                    })
            )
        ])
    }

    /// Reads the file form; entries with names or ids that do not validate are reported, not used.
    public static func from(json: JSONValue) -> Result<PoolState, PoolDecodeError> {
        guard let entries = json["workspaces"]?.objectValue else {
            return .failure(PoolDecodeError(reason: "missing \"workspaces\" object"))
        }
        var slots: [WorkspaceSlot] = []
        for (name, entry) in entries {
            guard let (project, number) = WorkspaceSlot.parse(name: name) else {
                return .failure(PoolDecodeError(reason: "invalid workspace name '\(name)'"))
            }
            var task: TaskID?
            if entry["status"]?.stringValue == "bound" {
                guard let text = entry["task"]?.stringValue, let id = TaskID(validating: text) else {
                    return .failure(PoolDecodeError(reason: "workspace '\(name)' is bound to an invalid task id"))
                }
                task = id
            }
            slots.append(WorkspaceSlot(project: project, number: number, task: task))
        }
        return .success(PoolState(slots: slots))
    }
}

public struct PoolDecodeError: Error, Hashable, Sendable {
    public var reason: String
}

extension PoolState {
    /// Reads the whole `.pool.json`; shared by the pool store and `orange doctor`.
    public static func decodeFile(_ bytes: [UInt8]) -> Result<PoolState, PoolDecodeError> {
        let json: JSONValue
        do { json = try JSONValue.parse(String(decoding: bytes, as: UTF8.self)) } catch {
            return .failure(PoolDecodeError(reason: "\(error) (fix or remove the file; orange will not overwrite it)"))
        }
        return from(json: json)
    }
}
