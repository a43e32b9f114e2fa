/// One TASK.md as read for the watch reducer: the reducer's answer, and the record when it parsed.
public struct TaskFileRead: Sendable {
    public var result: FileReadResult
    /// The parsed task, compact (a source may leave its body out: nothing the engine decides
    /// needs it). Compact already where it was read: the start-up read holds every task at once.
    public var compact: CompactTaskRecord?
    /// The start-up read found nothing for the catch-up to record in the task's history: no
    /// status journal, and TASK.md not newer than its history or the history's last status the
    /// one read (`readAtStartUp`). False: the catch-up looks for itself.
    public var historyAgrees = false

    /// The parsed task.
    public var record: TaskRecord? {
        get { compact?.record }
        set { compact = newValue.map(CompactTaskRecord.init) }
    }

    public init(result: FileReadResult, record: TaskRecord?) {
        self.result = result
        compact = record.map(CompactTaskRecord.init)
    }

    public init(result: FileReadResult, compact: CompactTaskRecord?) {
        self.result = result
        self.compact = compact
    }
}

/// What the watch driver asks of the task tree: the files and the real watcher in production, an
/// in-memory tree in tests, so both run the same driver.
public protocol TaskTreeSource {
    /// Reads and parses these TASK.md files; one answer per key, in the same order. A nil answer
    /// comes later, as a `.fileRead` event the caller sends (a source that reads asynchronously).
    func read(_ keys: [TaskKey]) -> [TaskFileRead?]
    /// `read` for the start-up scan, in slices of at most `sliceSize` keys: `take` is given each
    /// slice with its answers, in order, on the calling thread, and a source may read the next
    /// slices while `take` folds one in. An answer may also say `historyAgrees`: the catch-up's
    /// per-task look at the history, made while the task's folder is being read anyway.
    func readAtStartUp(
        _ keys: [TaskKey], sliceSize: Int, _ take: (_ slice: ArraySlice<TaskKey>, _ answers: [TaskFileRead?]) -> Void)
    /// `lstat` data of the key's TASK.md; nil when it is not a regular file.
    func stat(_ key: TaskKey) -> FileFingerprint?
    /// Lists the whole tree after events were lost (re-adding what watches it needs): every task
    /// whose TASK.md was found.
    func resync() -> [TaskKey]
    /// Every task with a TASK.md, for the periodic sweep.
    func allTaskKeys() -> [TaskKey]
}

extension TaskTreeSource {
    /// A slice at a time, each read when its turn comes; no history looked at: the catch-up
    /// looks at every task.
    public func readAtStartUp(
        _ keys: [TaskKey], sliceSize: Int, _ take: (_ slice: ArraySlice<TaskKey>, _ answers: [TaskFileRead?]) -> Void
    ) {
        for range in startUpSlices(of: keys.count, sliceSize: sliceSize) { take(keys[range], read(Array(keys[range]))) }
    }
}

/// The places of `count` keys cut into slices of `sliceSize` (at least 1), in order: how the
/// start-up read is handed over.
public func startUpSlices(of count: Int, sliceSize: Int) -> [Range<Int>] {
    let size = max(1, sliceSize)
    return stride(from: 0, to: count, by: size).map { $0..<min($0 + size, count) }
}
