import OrangeCore

/// A child whose merge into its parent's branch conflicted goes back to its agent: the merge was
/// aborted (nothing half done), the task moves `reviewed → working`, the conflict is written to
/// its TASK.md, and its agent is started again in its workspace to resolve it.
struct MergeConflict {
    let context: AppContext

    /// Does all that and returns the error the command ends with.
    func sendBack(_ task: TaskRecord, parentBranch: String, files: [String]) throws -> OrangeError {
        let now = context.clock.now()
        let section = MergeConflictNote.section(taskBranch: task.branch, parentBranch: parentBranch, files: files)
        try context.stores.tasks.update(
            task.id, in: task.project, recording: StatusChangeNote(by: .engine, cause: "merge into \(parentBranch) conflicted", at: now)
        ) { record in
            guard record.status == .reviewed else { return }
            record.status = .working
            record.body = MergeConflictNote.replacingSection(in: record.body, with: section)
            record.updatedAt = now
        }
        try context.stores.tasks.appendHistory(
            HistoryEvent(
                type: "merge.conflicted", timestamp: now,
                fields: [
                    ("into", .string(parentBranch)), ("files", .array(files.map { .string($0) })),
                ]), for: task.id, in: task.project)
        // The agent that reported may still run, waiting: it is started again with the task's
        // new state, like a respawn (its harness's resume command, the conflict in TASK.md).
        var agent = "its agent was started again to resolve it"
        if let session = task.tmuxSession, context.processes.tmux.hasSession(session), !AgentSessions(context: context).end(session) {
            agent = "its agent's session \(session) would not end; resolve it there"
        } else {
            switch try Spawner(context: context).spawn(task.id, respawn: true) {
            case .spawned: break
            case .skipped(let reason), .failed(let reason, _):
                agent = "its agent could not be started (\(reason)); run 'orange task respawn \(task.id)'"
            }
        }
        context.logger.warn(
            "merge", "Merge into the parent's branch conflicted; sent back",
            [("task_id", .string(task.id.rawValue)), ("files", .array(files.map { .string($0) }))])
        return OrangeError(
            "merging task \(task.id) into \(parentBranch) conflicted in \(files.joined(separator: ", ")); nothing was pushed. The task is working again with the conflict in its TASK.md, and \(agent)."
        )
    }
}
