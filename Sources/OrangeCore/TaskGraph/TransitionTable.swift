/// Who asks for a status change. Each actor has its own allowed transitions.
public enum TransitionActor: String, Sendable, Hashable, CaseIterable {
    /// An agent, through `orange task update --status` from its workspace.
    case agent
    /// A person, through orange's commands.
    case human
    /// orange itself: spawning, auto-completion, spawn failures.
    case engine
}

public struct TransitionError: Error, Hashable, Sendable, CustomStringConvertible {
    public var task: TaskID
    public var from: TaskStatus
    public var to: TaskStatus
    public var allowed: [TaskStatus]

    public var description: String {
        let base = "cannot change \(task) from \(from.rawValue) to \(to.rawValue)"
        if allowed.isEmpty { return base + "; no changes are allowed from \(from.rawValue)" }
        return base + "; allowed: " + allowed.map(\.rawValue).joined(separator: ", ")
    }
}

/// Which status may follow which, and who may make the change. Enforced for every writer
/// (CLI, watcher, engine); docs/graph.md has the same table for people.
public enum TransitionTable {
    public struct Rule: Sendable {
        public var from: TaskStatus
        public var to: TaskStatus
        public var actors: Set<TransitionActor>
    }

    private static let A: Set<TransitionActor> = [.agent, .human]
    private static let H: Set<TransitionActor> = [.human]
    private static let E: Set<TransitionActor> = [.engine]
    private static let HE: Set<TransitionActor> = [.human, .engine]
    private static let AHE: Set<TransitionActor> = [.agent, .human, .engine]

    public static let rules: [Rule] = [
        // Spawning starts the work; a person may also mark a task started by hand.
        Rule(from: .pending, to: .working, actors: HE),
        Rule(from: .pending, to: .failed, actors: HE),  // spawn failed twice
        Rule(from: .pending, to: .cancelled, actors: H),
        // The agent's own moves while working.
        Rule(from: .working, to: .clarification, actors: A),
        Rule(from: .working, to: .delegated, actors: AHE),  // the engine: an interrupted reassess turn rolled back
        Rule(from: .working, to: .reviewing, actors: A),
        Rule(from: .working, to: .stuck, actors: AHE),  // the engine: the agent died twice
        Rule(from: .working, to: .pending, actors: HE),  // respawn later / spawn rolled back
        Rule(from: .working, to: .failed, actors: HE),
        Rule(from: .working, to: .cancelled, actors: H),
        Rule(from: .clarification, to: .working, actors: A),
        Rule(from: .clarification, to: .stuck, actors: AHE),
        Rule(from: .clarification, to: .cancelled, actors: H),
        Rule(from: .clarification, to: .failed, actors: H),
        Rule(from: .stuck, to: .working, actors: AHE),
        Rule(from: .stuck, to: .cancelled, actors: H),
        Rule(from: .stuck, to: .failed, actors: H),
        // Delegation: done only automatically, when every child is done.
        Rule(from: .delegated, to: .done, actors: E),
        // Hierarchical: the parent's branch holds its sub-tree's work, reviewed once.
        Rule(from: .delegated, to: .reviewing, actors: E),
        // A person takes the work back; the engine gives a sequential parent its reassess turn.
        Rule(from: .delegated, to: .working, actors: HE),
        Rule(from: .delegated, to: .cancelled, actors: H),
        Rule(from: .delegated, to: .failed, actors: H),
        // Review.
        Rule(from: .reviewing, to: .reviewed, actors: H),  // approve
        Rule(from: .reviewing, to: .working, actors: AHE),  // changes requested / respawn
        Rule(from: .reviewing, to: .stuck, actors: A),
        Rule(from: .reviewing, to: .cancelled, actors: HE),  // the engine: its PR was closed unmerged
        Rule(from: .reviewing, to: .done, actors: E),  // its PR was merged on the forge
        Rule(from: .reviewing, to: .failed, actors: H),
        Rule(from: .reviewed, to: .reviewing, actors: H),  // unapprove
        Rule(from: .reviewed, to: .working, actors: HE),  // its merge into the parent's branch conflicted
        Rule(from: .reviewed, to: .done, actors: HE),  // merge; the engine: its PR was merged on the forge
        Rule(from: .reviewed, to: .cancelled, actors: HE),
        Rule(from: .reviewed, to: .failed, actors: H),
        // Re-opening a task that failed or was cancelled by mistake.
        Rule(from: .failed, to: .pending, actors: H),
        Rule(from: .cancelled, to: .pending, actors: H),
        // A person may settle a task that was done outside orange.
        Rule(from: .working, to: .done, actors: H),
        Rule(from: .pending, to: .done, actors: H),
    ]

    private static let index: [TaskStatus: [TaskStatus: Set<TransitionActor>]] = {
        var table: [TaskStatus: [TaskStatus: Set<TransitionActor>]] = [:]
        for rule in rules { table[rule.from, default: [:]][rule.to] = rule.actors }
        return table
    }()

    /// Whether `actor` may move a task from `from` to `to`. A same-status "change" is allowed.
    public static func allows(_ from: TaskStatus, _ to: TaskStatus, by actor: TransitionActor) -> Bool {
        from == to || index[from]?[to]?.contains(actor) == true
    }

    /// The statuses `actor` may move a task to from `from`, in the order of `TaskStatus.allCases`.
    public static func allowed(from: TaskStatus, by actor: TransitionActor) -> [TaskStatus] {
        TaskStatus.allCases.filter { $0 != from && index[from]?[$0]?.contains(actor) == true }
    }

    public static func check(_ task: TaskID, from: TaskStatus, to: TaskStatus, by actor: TransitionActor) throws(TransitionError) {
        guard allows(from, to, by: actor) else {
            throw TransitionError(task: task, from: from, to: to, allowed: allowed(from: from, by: actor))
        }
    }
}
