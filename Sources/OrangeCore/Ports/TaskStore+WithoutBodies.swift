/// Scans for deciding, not for showing: the reconcile decides on statuses and links, and every
/// write it makes re-reads the task's whole file under its lock, so the notes in each body need
/// not be held for the whole tree at once.
extension TaskStore {
    /// Stores that cannot drop bodies while reading (the in-memory one holds them anyway) drop
    /// them after.
    public func scanWithoutBodies(project: ProjectName?) throws -> TaskScan {
        let scan = try scan(project: project)
        return TaskScan(tasks: scan.tasks.map(\.withoutBody), invalid: scan.invalid)
    }
}
