import OrangeCore

/// The start-up catch-up's look at one task's history, made by the start-up read.
///
/// The catch-up (`Reconciler.recordStatusesChangedOutside`) looks, for every task, for a status
/// journal left by a dead writer, then whether TASK.md is newer than its history, then whether the
/// history ends with the status read. At 100,000 tasks these were three `fstatat`s per task (and
/// a read of the history's end for a quarter of them) in a pass of their own after the read, on
/// folders the read had just walked (docs/performance.md, section 5). The read answers the same
/// questions from the same folder, with the TASK.md it just opened, and the catch-up looks again
/// only at the tasks where an answer was not "nothing to record".
enum StartUpHistoryCheck {
    /// True when the catch-up would find nothing to record for task `id` of the project whose
    /// folder is open on `project`, whose TASK.md was read with `status` and modified at
    /// `taskFileModified`: no status journal, and TASK.md not newer than its history or the
    /// history ending with `status`. The catch-up's own checks (`OpenFolderTaskChecks`), from
    /// the same project folder.
    static func historyAgrees(of id: String, inProject project: Int32, status: TaskStatus, taskFileModified: Int64) -> Bool {
        guard FileSystem.status(id + "/" + FileTaskStore.journalName, in: project) == nil else { return false }
        let history = id + "/history.jsonl"
        if let recorded = FileSystem.status(history, in: project), taskFileModified <= recorded.modifiedNanoseconds { return true }
        return HistoryTail.lastRecordedStatus(history, in: project) == status
    }
}
