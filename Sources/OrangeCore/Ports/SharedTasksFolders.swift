/// The tasks folders a data folder shares with other machines through git (`orange sync`,
/// docs/multi-machine.md), as the engine's sync follower works them: which there are, and one
/// round of git work in one of them.
public protocol SharedTasksFolders: Sendable {
    /// The shared folders' names (`tasks`, or `tasks/<project>` for each shared project), in
    /// order; none when nothing is shared.
    func names() -> [String]
    /// One round in the folder `name` for `machine`: commit this machine's changes, fetch, merge
    /// what arrived, push. Throws when the round could not run at all (the folder's lock, git
    /// missing); a remote that does not answer is a round that says so.
    func syncRound(_ name: String, machine: String) throws -> SharedTasksRound
}

/// What one round in a shared tasks folder did.
public struct SharedTasksRound: Hashable, Sendable {
    public enum Merge: Hashable, Sendable {
        case upToDate
        case merged(files: Int)
        /// Both sides changed the same lines of a file other than a TASK.md: nothing was merged,
        /// the local state is kept.
        case conflict([String])
    }

    /// This machine's changes were committed.
    public var committed: Bool
    /// The remote answered the fetch.
    public var reachable: Bool
    public var merge: Merge
    /// This machine's commits were pushed.
    public var pushed: Bool
    /// Why the round stopped short (the remote unreachable, a conflict, a push refused).
    public var error: String?

    public init(committed: Bool = false, reachable: Bool = true, merge: Merge = .upToDate, pushed: Bool = false, error: String? = nil) {
        self.committed = committed
        self.reachable = reachable
        self.merge = merge
        self.pushed = pushed
        self.error = error
    }
}

/// Nothing shared: the follower has nothing to do.
public struct NoSharedTasks: SharedTasksFolders {
    public init() {}
    public func names() -> [String] { [] }
    public func syncRound(_ name: String, machine: String) throws -> SharedTasksRound {
        SharedTasksRound(reachable: false, error: "\(name) is not shared")
    }
}
