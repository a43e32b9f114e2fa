/// The catch-up's two per-task file checks for the tasks of one project
/// (`TaskStore.folderChecks(in:)`): `recoverInterruptedWrite` and `taskFileIsNewerThanHistory`,
/// with the same answers, made for many tasks in a row. A file store looks each file up from the
/// project's open folder rather than walking its whole path three times per task.
public protocol TaskFolderChecks: Sendable {
    /// `TaskStore.recoverInterruptedWrite` of the task, then its `taskFileIsNewerThanHistory`.
    func recoverInterruptedWriteThenCheckNewer(_ id: TaskID) throws -> Bool
    /// `(try? history(of:in:))?.lastRecordedStatus`: nil when the history cannot be read.
    func lastRecordedStatus(_ id: TaskID) -> TaskStatus?
}

/// The checks as the store's own per-task calls: for stores with no cheaper way.
public struct StoreTaskFolderChecks: TaskFolderChecks {
    let store: any TaskStore
    let project: ProjectName

    public init(store: any TaskStore, project: ProjectName) {
        self.store = store
        self.project = project
    }

    public func recoverInterruptedWriteThenCheckNewer(_ id: TaskID) throws -> Bool {
        try store.recoverInterruptedWrite(id, in: project)
        return store.taskFileIsNewerThanHistory(id, in: project)
    }

    public func lastRecordedStatus(_ id: TaskID) -> TaskStatus? {
        (try? store.history(of: id, in: project))?.lastRecordedStatus
    }
}

extension TaskStore {
    /// By default, the store's per-task calls.
    public func folderChecks(in project: ProjectName) -> any TaskFolderChecks {
        StoreTaskFolderChecks(store: self, project: project)
    }
}
