/// A task as the watch reducer knows it: the project and task folder names exactly as the
/// watcher reported them (not validated; an invalid name is still a key, so it can be diagnosed).
public struct TaskKey: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The project folder name under `tasks/`.
    public var project: String
    /// The task folder name under the project.
    public var taskID: String

    /// A key from the two folder names.
    public init(project: String, taskID: String) {
        self.project = project
        self.taskID = taskID
    }

    public static func < (lhs: TaskKey, rhs: TaskKey) -> Bool {
        (lhs.project, lhs.taskID) < (rhs.project, rhs.taskID)
    }

    /// `project/taskID`.
    public var description: String { project + "/" + taskID }
}

/// Everything the watch loop tells the reducer. Every input is a hint or an answer; the reducer
/// never trusts an event's kind as the truth about the file (F21), only the read results.
public enum WatchEvent: Hashable, Sendable {
    /// A batch of hints from the task-tree watcher (one `readHints()`/`start()` result).
    case hints([WatchHint])
    /// The answer to `.read(key)`: exactly one per request (`.unreadable` on any error).
    case fileRead(TaskKey, FileReadResult)
    /// An `lstat` of the key's TASK.md (`nil`: no such file): the answer to `.stat(key)`, and what
    /// a sweep sends for every TASK.md it finds.
    case statResult(TaskKey, FileFingerprint?)
    /// Whether `.git/index.lock` exists (the tasks tree is a git checkout). Send it when it changes;
    /// while it exists, changes are held and delivered as one batch (storm mode, F11).
    case vcsLock(present: Bool)
    /// A deadline (`nextDeadline`) was reached. Any event also runs due timers; this one does nothing else.
    case tick
    /// A sweep was asked for from outside (a command such as `--once`, or a signal).
    case sweepRequested
    /// The sweep asked for by `.sweep` has sent all its `.statResult`s.
    case sweepFinished
    /// The resync asked for by `.fullResync` has sent all its `.appeared` hints.
    case resyncFinished
    /// orange itself just wrote this content to the key's TASK.md (send it once the rename has
    /// landed). The engine's graph already holds it, so reading it back causes no work (F16);
    /// different content found later (a racing user edit, a failed write) is still reported.
    case selfWrite(TaskKey, contentHash: UInt64)
}
