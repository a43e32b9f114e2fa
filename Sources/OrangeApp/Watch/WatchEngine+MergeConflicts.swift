import OrangeCore

/// Tasks a merge between machines marked (`merge_conflict`, docs/task-merge.md): the engine says
/// so when it first sees the mark, and again only when the marked fields change.
extension WatchEngine {
    /// `path` is made only for a report: the start-up batch applies every task.
    func reportMergeConflict(old: CompactTaskRecord?, _ record: CompactTaskRecord, path makePath: @autoclosure () -> String) {
        guard let fields = TaskFileMerge.conflictFields(of: record), old.flatMap(TaskFileMerge.conflictFields(of:)) != fields else {
            return
        }
        let path = makePath()
        let message = "\(path): " + TaskFileMerge.conflictReport(fields)
        context.logger.warn(
            "watch", "Task marked by a merge conflict",
            [("task_id", .string(record.id.rawValue)), ("path", .string(path)), ("fields", .array(fields.map { .string($0) }))])
        emit(.object([("event", "diagnostic"), ("message", .string(message))]), "! \(message)")
    }
}
