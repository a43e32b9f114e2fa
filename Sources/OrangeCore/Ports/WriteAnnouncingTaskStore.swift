/// A task store that tells an observer of each task it wrote, once the write is done: the
/// default `announcingWrites` of stores that nothing else watches.
public struct WriteAnnouncingTaskStore: TaskStore {
    let base: any TaskStore
    let observer: @Sendable (TaskRecord, UInt64) -> Void

    private func reportWritten(_ task: TaskRecord) {
        // A task store writes `rendered()`: the hash a read-back of the file finds.
        observer(task, TaskFileHash.hash(Array(task.rendered().utf8)))
    }

    public func create(_ task: TaskRecord) throws {
        try base.create(task)
        reportWritten(task)
    }

    @discardableResult
    public func update(
        _ id: TaskID, in project: ProjectName, recording note: StatusChangeNote?, _ change: (inout TaskRecord) throws -> Void
    )
        throws -> (before: TaskRecord, after: TaskRecord)
    {
        let result = try base.update(id, in: project, recording: note, change)
        if result.after != result.before { reportWritten(result.after) }
        return result
    }

    public func scan(project: ProjectName?) throws -> TaskScan { try base.scan(project: project) }
    public func find(_ id: TaskID) throws -> TaskRecord? { try base.find(id) }
    public func recoverInterruptedWrite(_ id: TaskID, in project: ProjectName) throws -> Bool {
        try base.recoverInterruptedWrite(id, in: project)
    }
    public func taskFileIsNewerThanHistory(_ id: TaskID, in project: ProjectName) -> Bool {
        base.taskFileIsNewerThanHistory(id, in: project)
    }
    public func folderChecks(in project: ProjectName) -> any TaskFolderChecks { base.folderChecks(in: project) }
    public func recordStatusChangedOutside(_ id: TaskID, in project: ProjectName, note: StatusChangeNote) throws -> Bool {
        try base.recordStatusChangedOutside(id, in: project, note: note)
    }
    public func delete(_ id: TaskID, in project: ProjectName) throws { try base.delete(id, in: project) }
    public func appendHistory(_ event: HistoryEvent, for id: TaskID, in project: ProjectName) throws {
        try base.appendHistory(event, for: id, in: project)
    }
    public func history(of id: TaskID, in project: ProjectName) throws -> [HistoryEvent] { try base.history(of: id, in: project) }
    public func taskFilePath(_ id: TaskID, in project: ProjectName) -> String { base.taskFilePath(id, in: project) }
    public func withGraphLock<T>(of project: ProjectName, _ body: () throws -> T) throws -> T {
        try base.withGraphLock(of: project, body)
    }
}
