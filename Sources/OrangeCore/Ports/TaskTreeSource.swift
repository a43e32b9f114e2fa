/// One TASK.md as read for the watch reducer: the reducer's answer, and the record when it parsed.
public struct TaskFileRead: Sendable {
    public var result: FileReadResult
    /// The parsed task (a source may leave its body out: nothing the engine decides needs it).
    public var record: TaskRecord?

    public init(result: FileReadResult, record: TaskRecord?) {
        self.result = result
        self.record = record
    }
}

/// What the watch driver asks of the task tree: the files and the real watcher in production, an
/// in-memory tree in tests, so both run the same driver.
public protocol TaskTreeSource {
    /// Reads and parses these TASK.md files; one answer per key, in the same order. A nil answer
    /// comes later, as a `.fileRead` event the caller sends (a source that reads asynchronously).
    func read(_ keys: [TaskKey]) -> [TaskFileRead?]
    /// `lstat` data of the key's TASK.md; nil when it is not a regular file.
    func stat(_ key: TaskKey) -> FileFingerprint?
    /// Lists the whole tree after events were lost (re-adding what watches it needs): every task
    /// whose TASK.md was found.
    func resync() -> [TaskKey]
    /// Every task with a TASK.md, for the periodic sweep.
    func allTaskKeys() -> [TaskKey]
}
