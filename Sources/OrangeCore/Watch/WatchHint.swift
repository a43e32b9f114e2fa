/// What happened to a TASK.md, as far as one event can tell.
///
/// Events are hints, not facts: the consumer re-reads (or re-stats) the file before believing any
/// of these, and only `.completeWrite` is a reason to react without waiting for a quiet period.
public enum WatchHintKind: Hashable, Sendable {
    /// `CLOSE_WRITE` on TASK.md, or a rename whose target is TASK.md: the content is final.
    case completeWrite
    /// `MODIFY` or `CREATE` without a close yet: the file may be half written.
    case partialWrite
    /// `DELETE` of TASK.md, or TASK.md renamed away. Git checkouts delete then re-create, so wait.
    case removed
    /// `ATTRIB` only (touch, chmod, link count): re-stat, probably nothing to parse.
    case attributes
    /// Found by a scan (start-up, a new or moved-in folder), not by an event.
    case appeared
}

/// What happened to a project or task folder.
public enum WatchDirectoryChange: Hashable, Sendable {
    /// Created, moved in, renamed to this name, or found by a scan.
    case appeared
    /// Deleted, moved out, or renamed away from this name.
    case removed
}

/// A path-level hint from the task-tree watcher, for the watch reducer to turn into re-reads.
///
/// Project and task names are passed exactly as the file system spelled them; validating them
/// (`ProjectName`, `TaskID`) is the consumer's job, so a folder with an invalid name is visible here.
public enum WatchHint: Hashable, Sendable {
    /// Something happened to `tasks/<project>/<taskID>/TASK.md`.
    case taskFile(project: String, taskID: String, kind: WatchHintKind)
    /// `tasks/<project>/<taskID>/` appeared or went away.
    case taskDirectory(project: String, taskID: String, change: WatchDirectoryChange)
    /// `tasks/<project>/` appeared or went away.
    case projectDirectory(project: String, change: WatchDirectoryChange)
    /// A sync cookie (`tasks/.orange-cookie-<token>`) was seen: every earlier event has been read.
    case cookie(String)
    /// The kernel queue overflowed (`IN_Q_OVERFLOW`): events were lost, resynchronise everything.
    case overflow
    /// The watcher lost track of a subtree (unknown watch, `tasks/` replaced or removed): rescan it.
    /// The path is relative to the data root (`$ORANGE_HOME`); `""` means the whole tree.
    case rescan(path: String)
}
