/// The git operations orange needs. Every implementation must run git as `git -C <dir> …` with
/// arguments, never through a shell, and must never prompt.
public protocol GitClient: Sendable {
    func topLevel(of directory: String) -> String?
    /// origin's HEAD, else `main` if it exists, else `master`, else `main`.
    func defaultBranch(ofRepository path: String) -> String
    func hasRemote(_ repository: String, named remote: String) -> Bool
    func fetch(_ directory: String) throws
    func branchExists(_ directory: String, _ branch: String) -> Bool
    func remoteBranchExists(_ directory: String, _ branch: String) -> Bool
    func refExists(_ directory: String, _ ref: String) -> Bool
    func currentBranch(_ directory: String) -> String?
    /// Uncommitted changes (tracked or untracked, ignoring excluded files).
    func isDirty(_ directory: String) throws -> Bool
    func addWorktree(repository: String, path: String, detachedAt ref: String) throws
    /// Forgets the worktrees of `repository` whose folder is gone (`git worktree prune`).
    func pruneWorktrees(repository: String) throws
    func checkout(_ directory: String, branch: String) throws
    func checkoutNewBranch(_ directory: String, branch: String, from startPoint: String) throws
    /// Detaches HEAD (at `ref`, or where it is), so later resets can never move a branch.
    func detach(_ directory: String, at ref: String?) throws
    func resetHard(_ directory: String, to ref: String) throws
    func clean(_ directory: String) throws
    func merge(_ directory: String, branch: String, fastForwardOnly: Bool, message: String) throws
    func push(_ directory: String, remote: String, refspec: String) throws
    func revParse(_ directory: String, _ ref: String) throws -> String
    /// Adds lines to the repository's `info/exclude` (shared by its worktrees), once each.
    func addExcludes(_ directory: String, patterns: [String]) throws
    func commitCount(_ directory: String, since base: String) -> Int?
    /// Lines added and removed in the working tree (committed or not) since it left `base`.
    func lineChanges(_ directory: String, since base: String) -> (added: Int, removed: Int)?
    /// `git diff --stat from to`: what a merge changed, for a reassessing parent; nil on failure.
    func diffStat(_ directory: String, from: String, to: String) -> String?
    /// Paths with unresolved conflicts after a failed merge (`git diff --name-only --diff-filter=U`).
    func conflictedFiles(_ directory: String) -> [String]
    /// `git merge --abort`: no half-done merge is left behind.
    func abortMerge(_ directory: String) throws
    /// `git merge-base --is-ancestor`: whether `descendant` already contains `ancestor`.
    func isAncestor(_ directory: String, _ ancestor: String, of descendant: String) -> Bool
}

/// The tmux operations orange needs, on one server (a private socket when configured).
public protocol TmuxClient: Sendable {
    func hasSession(_ name: String) -> Bool
    /// Starts `command` (an argv, never a shell string) detached in a new session; the pane stays
    /// after the program exits, so a dead agent is seen as dead rather than as a missing session.
    func newSession(_ name: String, directory: String, command: [String], environment: [String: String]) throws
    func killSession(_ name: String) throws
    func listSessions() -> [String]
    /// Every session with whether its program still runs (false: the pane is dead), in one call.
    func sessionStates() -> [String: Bool]
    /// Whether the session's program has exited (nil when there is no such session).
    func isPaneDead(_ name: String) -> Bool?
    func capturePane(_ name: String, lines: Int) -> String?
    /// The pane's last `lines` lines of history and screen, wrapped lines joined (`capture-pane -J`);
    /// nil when there is no such session.
    func captureHistory(_ name: String, lines: Int) -> String?
    /// Types `text` into the session's pane as literal keys, then presses Enter.
    func sendText(_ name: String, text: String) throws
    /// The process id of each pane's program (the leader of its process session); empty when
    /// there is no such session.
    func panePIDs(_ name: String) -> [Int32]
    /// The argv that attaches a terminal to the session.
    func attachCommand(_ name: String, insideTmux: Bool) -> [String]
}
