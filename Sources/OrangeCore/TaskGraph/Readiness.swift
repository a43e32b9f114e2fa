/// Why one blocker holds a task back.
public enum BlockerState: Hashable, Sendable {
    /// Not finished yet (pending, working, …): the normal wait.
    case waiting(TaskStatus)
    /// Cancelled or failed: the dependent stays blocked until a person acts (or the blocker is
    /// later set to done, which re-arms the dependent).
    case needsPerson(TaskStatus)
    /// No such task (deleted, or never existed).
    case missing
    /// In another project, which is not supported.
    case otherProject(ProjectName)
}

public struct Blocker: Hashable, Sendable {
    public var id: TaskID
    public var state: BlockerState

    public init(id: TaskID, state: BlockerState) {
        self.id = id
        self.state = state
    }

    public var description: String { "\(id) is \(stateText)" }

    /// `pending`, `cancelled (needs a person)`, `missing`, `in project q`.
    public var stateText: String {
        switch state {
        case .waiting(let status): return status.rawValue
        case .needsPerson(let status): return "\(status.rawValue) (needs a person)"
        case .missing: return "missing"
        case .otherProject(let project): return "in project \(project)"
        }
    }
}

/// Whether a task may start now, and if not, why. The only definition of "ready": every
/// command, view, the watcher and the spawner ask this.
public enum Readiness: Hashable, Sendable {
    /// Pending, and every blocker is done.
    case ready
    /// Not pending: readiness does not apply.
    case notPending(TaskStatus)
    /// Pending, held back by these blockers (only the ones not done).
    case blocked([Blocker])
    /// Pending, but on a dependency cycle (the path starts and ends at this task).
    case onCycle([TaskID])
    /// Pending, but a person put a hold on it (`hold:`; the reason, "" when none given). Comes
    /// before blockers and cycles: nothing else starts it until the hold is lifted.
    case held(String)

    public var isReady: Bool { self == .ready }

    /// `held: <reason>; lift with 'orange task unhold <id>'`, for a held task; nil otherwise.
    public func holdExplanation(_ id: TaskID) -> String? {
        guard case .held(let reason) = self else { return nil }
        return (reason.isEmpty ? "held" : "held: \(reason)") + "; lift with 'orange task unhold \(id)'"
    }
}

extension TaskGraph {
    public func readiness(of id: TaskID, cycles: CycleIndex? = nil) -> Readiness {
        guard let task = tasks.compact(id) else { return .blocked([Blocker(id: id, state: .missing)]) }
        guard task.status == .pending else { return .notPending(task.status) }
        if let hold = task.hold { return .held(hold) }
        if let cycles, let path = cycles.path(through: id) { return .onCycle(path) }
        var blockers: [Blocker] = []
        for blockerID in task.blockedBy {
            guard let blocker = tasks.compact(blockerID) else {
                blockers.append(Blocker(id: blockerID, state: .missing))
                continue
            }
            if blocker.project != task.project {
                blockers.append(Blocker(id: blockerID, state: .otherProject(blocker.project)))
            } else if blocker.status == .cancelled || blocker.status == .failed {
                blockers.append(Blocker(id: blockerID, state: .needsPerson(blocker.status)))
            } else if blocker.status != .done {
                blockers.append(Blocker(id: blockerID, state: .waiting(blocker.status)))
            }
        }
        return blockers.isEmpty ? .ready : .blocked(blockers)
    }

    /// Every ready task, in creation order.
    public func readyTasks(cycles: CycleIndex? = nil) -> [TaskID] {
        inCreationOrder(tasks.keys.filter { readiness(of: $0, cycles: cycles).isReady })
    }
}

/// A delegated task's progress: `delegated (2/3)`.
public struct DelegationProgress: Hashable, Sendable {
    public var done: Int
    public var total: Int
    /// A child was cancelled or failed: the parent stays delegated until a person acts.
    public var needsAttention: Bool

    public var isComplete: Bool { total > 0 && done == total }
}

extension TaskGraph {
    public func progress(of id: TaskID) -> DelegationProgress {
        let children = children(of: id)
        var done = 0
        var attention = false
        for child in children {
            switch tasks.compact(child)?.status {
            case .done?: done += 1
            case .cancelled?, .failed?: attention = true
            default: break
            }
        }
        return DelegationProgress(done: done, total: children.count, needsAttention: attention)
    }

    /// `delegated (2/3)`, with `, needs attention` when a child was cancelled or failed; the
    /// plain status otherwise.
    public func statusLabel(of id: TaskID) -> String {
        guard let task = tasks.compact(id) else { return "missing" }
        if task.status == .pending, task.hold != nil { return "pending (held)" }
        guard task.status == .delegated else { return task.status.rawValue }
        let p = progress(of: id)
        return "delegated (\(p.done)/\(p.total))" + (p.needsAttention ? ", needs attention" : "")
    }
}
