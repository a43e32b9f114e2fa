import OrangeCore

/// Puts a save made through a workspace's TASK.md where it belongs.
///
/// The workspace's TASK.md is a symlink to the task's file. A save by rename (`sed -i`, python's
/// `os.replace`, `cp --remove-destination`, vim with `backupcopy=no`, many agent tools) replaces
/// the link with a plain file, and the task never sees the edit. This applies the file to the
/// task as the hand edit it is (`DetachedTaskFile.decide`, under the task's lock through
/// `TaskStore.update`), or keeps it next to the task as `TASK.md.rejected-<ms>` and reports why;
/// then it puts the link back by renaming a new link over the file, so the workspace never has
/// no TASK.md. Used by the engine, by every command run inside a workspace, by
/// `orange doctor --fix` and by a workspace's release.
struct WorkspaceTaskFileRepair {
    let context: AppContext

    enum Outcome: Equatable {
        /// TASK.md is the link (or missing, or the workspace is not bound): nothing to do.
        case notDetached
        /// The file said what the task says; the link is back.
        case relinked
        /// Applied to the task; the link is back.
        case applied(from: TaskStatus, to: TaskStatus)
        /// Not applicable: kept at `file.path`; the link is back.
        case keptAside(InvalidTaskFile)
    }

    private var folders: any WorkspaceFolders { context.stores.workspaceFolders }

    /// The cheap check (one `lstat`) every caller makes first.
    func isDetached(_ workspace: String) -> Bool {
        folders.taskFile(in: workspace).isPlainFile
    }

    /// Repairs `workspace` when its TASK.md is a plain file and the pool binds it to a task.
    /// Takes the worktree's lock, so a release or a prepare of the same worktree never interleaves.
    func repair(workspace: String) throws -> Outcome {
        guard isDetached(workspace) else { return .notDetached }
        return try Workspaces(context: context).withWorktreeLock(workspace) {
            guard let slot = try context.stores.pool.read().slot(named: workspace), let id = slot.task else { return .notDetached }
            return try repairLocked(workspace, task: id, project: slot.project)
        }
    }

    /// `repair` for a caller that already holds the worktree's lock (the release).
    func repairLocked(_ workspace: String, task id: TaskID, project: ProjectName) throws -> Outcome {
        let link = context.workspacePath(workspace) + "/TASK.md"
        let taskFile = context.stores.tasks.taskFilePath(id, in: project)
        // A save landing on the plain file while this runs is taken by the next round, so the
        // link is only put back over the very file that was judged.
        for _ in 0..<4 {
            let seen = folders.taskFile(in: workspace)
            guard seen.isPlainFile else { return .notDetached }
            let bytes = try folders.readTaskFile(in: workspace)
            var decision = DetachedTaskFileDecision.unchanged
            let note = StatusChangeNote(by: .human, cause: "saved through the workspace's TASK.md", at: context.clock.now())
            let (before, _) = try context.stores.tasks.update(id, in: project, recording: note) { record in
                // Judged on the task as read under its lock, not on an earlier copy.
                decision = DetachedTaskFile.decide(bytes, current: record)
                if case .apply(let edited) = decision { record = edited }
            }
            guard folders.taskFile(in: workspace) == seen else { continue }
            let outcome: Outcome
            switch decision {
            case .unchanged:
                outcome = .relinked
            case .apply(let edited):
                outcome = .applied(from: before.status, to: edited.status)
                context.logger.info(
                    "workspace", "Applied a save made through the workspace's TASK.md",
                    [
                        ("id", .string(id.rawValue)), ("workspace", .string(workspace)),
                        ("from", .string(before.status.rawValue)), ("to", .string(edited.status.rawValue)),
                    ])
            case .keepAside(let line, let reason):
                // One file per rejection: a second one in the same millisecond takes the next.
                var stamp = context.clock.now().millisecondsSinceEpoch
                while folders.hasFile(named: DetachedTaskFile.keptAsideName(atMilliseconds: stamp), nextTo: taskFile) { stamp += 1 }
                let aside = try folders.keep(bytes, nextTo: taskFile, as: DetachedTaskFile.keptAsideName(atMilliseconds: stamp))
                let problem = InvalidTaskFile(path: link, line: line, reason: reason)
                outcome = .keptAside(InvalidTaskFile(path: aside, line: line, reason: reason))
                context.logger.warn(
                    "workspace", "A save made through the workspace's TASK.md was not applied",
                    [
                        ("id", .string(id.rawValue)), ("file", .string(link)), ("line", line.map { .int(Int64($0)) } ?? .null),
                        ("reason", .string(reason)), ("kept", .string(aside)),
                    ])
                context.console.diagnostics("warning: \(problem); not applied to task \(id), kept as \(aside)\n")
            }
            try folders.relinkTaskFile(in: workspace, to: taskFile)  // one rename: never a moment without TASK.md
            return outcome
        }
        throw OrangeError("\(link) kept changing while orange put the link to task \(id) back; it was left as it is")
    }
}

extension Commands {
    /// Run before a command inside a workspace: a save through TASK.md the engine has not
    /// applied (no engine running, or not yet) is applied first, so the command sees it.
    func applyDetachedWorkspaceTaskFile() {
        guard let workspace = currentWorkspaceName(), WorkspaceTaskFileRepair(context: context).isDetached(workspace) else { return }
        do {
            if case .applied(let from, let to) = try WorkspaceTaskFileRepair(context: context).repair(workspace: workspace) {
                context.console.diagnostics(
                    "orange: applied the save of \(context.workspacePath(workspace))/TASK.md to its task (\(from.rawValue) → \(to.rawValue)); TASK.md is the link again\n"
                )
            }
        } catch {
            context.console.diagnostics(
                "warning: \(context.workspacePath(workspace))/TASK.md is not the link to its task and could not be repaired: \(error)\n")
        }
    }
}
