/// The gate a status change goes through when several machines share the tasks folder: a spawn's
/// claim (and an auto-completion) is a write that must first win a push to the shared remote, so
/// of two machines deciding on one task only one acts (docs/multi-machine.md).
///
/// `write` makes the change locally (under the task's lock, as every write); it runs only once
/// the remote accepted the change, and receives the claim to record (nil when none is taken).
public protocol SpawnClaims: Sendable {
    /// This machine's id when the tasks are shared; nil when they are not (every task is ours).
    var machine: String? { get }
    /// Moves `task` from one of `from` to `to` on the remote, then runs `write`. `claim`: record
    /// this machine as the one running it (spawns), refused while another machine's lease lives.
    /// `note`: the status change's history line, which travels in the same commit as the status
    /// (no machine ever sees the status without its line); `write` must record the same note.
    func transition(
        _ task: TaskID, in project: ProjectName, from: Set<TaskStatus>, to: TaskStatus, claim: Bool, note: StatusChangeNote,
        write: (ClaimStamp?) throws -> Void
    ) throws -> ClaimOutcome
}

public enum ClaimOutcome: Equatable, Sendable {
    /// The remote accepted the change and `write` ran.
    case accepted
    /// Nothing was written; the reason says why (claimed elsewhere, remote unreachable).
    case refused(String)
}

/// No sync: every change is this machine's to make; `write` runs at once, with no claim.
public struct NoSpawnClaims: SpawnClaims {
    public init() {}
    public var machine: String? { nil }
    public func transition(
        _ task: TaskID, in project: ProjectName, from: Set<TaskStatus>, to: TaskStatus, claim: Bool, note: StatusChangeNote,
        write: (ClaimStamp?) throws -> Void
    ) throws -> ClaimOutcome {
        try write(nil)
        return .accepted
    }
}
