/// Which status a task keeps when two machines moved it to different ones from the same base
/// (docs/task-merge.md; the decision in docs/decisions.md, "Merging TASK.md between machines").
///
/// The answer depends only on the two statuses, never on which machine merges, so both
/// machines would settle on the same one:
/// 1. a terminal status (done, failed, cancelled) over any other: the task was settled, and a
///    concurrent step of its old life does not reopen it;
/// 2. otherwise the status the transition table reaches from the other in one step, when the
///    way back is not allowed: it is the later state of the task's life;
/// 3. otherwise (both terminal, or each reachable from the other, or neither) the later one in
///    `lifecycle` order, and the field is reported as a conflict.
public enum StatusMerge {
    /// From earliest to latest in a task's life; the tie-breaker of rule 3.
    static let lifecycle: [TaskStatus] = [
        .pending, .working, .clarification, .stuck, .delegated, .reviewing, .reviewed, .cancelled, .failed, .done,
    ]

    public static func decide(_ a: TaskStatus, _ b: TaskStatus) -> (status: TaskStatus, conflict: Bool) {
        if a == b { return (a, false) }
        if a.isTerminal != b.isTerminal { return (a.isTerminal ? a : b, false) }
        if !a.isTerminal {
            let forward = reachable(a, b)
            let backward = reachable(b, a)
            if forward && !backward { return (b, false) }
            if backward && !forward { return (a, false) }
        }
        return (rank(a) > rank(b) ? a : b, true)
    }

    /// Whether any actor may move a task from `from` to `to` in one step.
    static func reachable(_ from: TaskStatus, _ to: TaskStatus) -> Bool {
        TransitionActor.allCases.contains { TransitionTable.allows(from, to, by: $0) }
    }

    static func rank(_ status: TaskStatus) -> Int {
        lifecycle.firstIndex(of: status) ?? 0
    }
}
