/// How a task changed, as reported to the engine in one `.graphChanged` batch.
public enum TaskChange: Hashable, Sendable {
    /// TASK.md parsed with this content hash; the engine should load it.
    case updated(contentHash: UInt64)
    /// TASK.md is gone (confirmed after a quiet period; a delete followed by a re-create never
    /// shows up here).
    case removed
    /// TASK.md does not parse. The engine keeps the last good state and shows this diagnostic;
    /// sent once per distinct (line, reason).
    case invalid(line: Int?, reason: String)
}

/// What the reducer asks the watch loop to do. The loop performs reads and stats right away and
/// answers each with exactly one `.fileRead` / `.statResult` event.
public enum WatchAction: Hashable, Sendable {
    /// Re-read and parse the key's TASK.md now; answer with `.fileRead`.
    case read(TaskKey)
    /// `lstat` the key's TASK.md now; answer with `.statResult`.
    case stat(TaskKey)
    /// Events were lost: list the whole tree, send an `.appeared` hint for every TASK.md found,
    /// then `.resyncFinished`. Tasks not named meanwhile are re-read and, if gone, removed.
    case fullResync
    /// Periodic safety pass: `lstat` every TASK.md in the tree, send a `.statResult` for each, then
    /// `.sweepFinished` (also the moment to check the workspace TASK.md symlinks, F14).
    case sweep
    /// Tasks whose graph entry changed, all that settled together (one graph update per batch).
    case graphChanged([TaskKey: TaskChange])
    /// The action gate: these tasks' content has been stable for the quiet period with no read
    /// pending, so the engine may spawn, merge or cancel based on them. Sorted.
    case actionsAllowed([TaskKey])
    /// Something the user should see (an unreadable TASK.md, a lost-events resync).
    case diagnostic(String)
}
