import OrangeCore

extension Commands {
    /// Merges a reviewed task's branch into the default branch **on origin**, from the task's own
    /// worktree: the user's checkout is never checked out, reset or merged into (the original's
    /// B3). A failed push is an error (B5), and on any failure the worktree is put back on the
    /// task's branch.
    func taskMerge() throws -> CommandResult {
        let task = try requireTask(invocation.positional(0)!)
        try TransitionTable.check(task.id, from: task.status, to: .done, by: .human)
        guard task.status == .reviewed else {
            throw OrangeError("task \(task.id) is \(task.status.rawValue); approve it first ('orange task approve \(task.id)')")
        }
        guard let project = try context.projects.list().first(where: { $0.name == task.project }) else {
            throw OrangeError("project '\(task.project)' is not registered")
        }
        guard let workspace = task.workspace else {
            throw OrangeError("task \(task.id) has no workspace; merge branch '\(task.branch)' yourself, then run 'orange task update \(task.id) --status done --as human'")
        }
        guard context.git.hasRemote(project.path, named: "origin") else {
            throw OrangeError("project '\(project.name)' has no 'origin' remote; orange merges by pushing to origin so your checkout is never touched. Merge '\(task.branch)' yourself, then run 'orange task update \(task.id) --status done --as human'")
        }
        let strategy = invocation.value("strategy") ?? "auto"
        guard ["auto", "ff", "merge"].contains(strategy) else { throw OrangeError("invalid --strategy '\(strategy)'; use ff or merge") }

        let path = context.workspacePath(workspace)
        let target = project.defaultBranch
        if try context.git.isDirty(path) {
            throw OrangeError("workspace \(workspace) has uncommitted changes; commit them on '\(task.branch)' first")
        }
        let used: String
        var base = ""
        do {
            try context.git.fetch(path)
            try context.git.detach(path, at: "origin/" + target)
            base = (try? context.git.revParse(path, "HEAD")) ?? ""
            let message = "Merge \(task.branch) (orange task \(task.id))"
            switch strategy {
            case "ff":
                try context.git.merge(path, branch: task.branch, fastForwardOnly: true, message: message)
                used = "ff"
            case "merge":
                try context.git.merge(path, branch: task.branch, fastForwardOnly: false, message: message)
                used = "merge"
            default:
                do {
                    try context.git.merge(path, branch: task.branch, fastForwardOnly: true, message: message)
                    used = "ff"
                } catch {
                    try context.git.merge(path, branch: task.branch, fastForwardOnly: false, message: message)
                    used = "merge"
                }
            }
            try context.git.push(path, remote: "origin", refspec: "HEAD:refs/heads/" + target)
            CrashPoint.reach("merge.pushed", context)
        } catch {
            // Leave the worktree as the agent had it: on its branch, no half-done merge.
            try? context.git.resetHard(path, to: "HEAD")
            try? context.git.checkout(path, branch: task.branch)
            throw OrangeError("merging task \(task.id) failed, nothing was pushed: \(error)")
        }
        let commit = (try? context.git.revParse(path, "HEAD")) ?? ""
        if context.git.remoteBranchExists(path, task.branch) {
            do { try context.git.push(path, remote: "origin", refspec: ":refs/heads/" + task.branch) } catch {
                context.diagnostics("warning: merged, but could not delete origin/\(task.branch): \(error)\n")
            }
        }
        let now = context.clock.now()
        let (_, after) = try context.tasks.update(task.id, in: task.project, recording: StatusChangeNote(by: .human, cause: "merged", at: now)) { record in
            record.status = .done
            record.updatedAt = now
        }
        CrashPoint.reach("merge.recorded", context)
        try context.tasks.appendHistory(
            HistoryEvent(type: "task.merged", timestamp: now, fields: [("commit_hash", .string(commit)), ("base", .string(base)), ("strategy", .string(used)), ("into", .string(target))]),
            for: task.id, in: task.project)
        // Frees the worktree and starts whatever the merge made ready.
        let transitions = try Reconciler(context: context).reconcile(changed: [task.id])
        let text = "Task \(task.id) merged into origin/\(target) (\(used), \(commit.prefix(12)))\n" + transitions.map { $0.line + "\n" }.joined()
        return CommandResult(text: text, json: .object([
            ("task", after.json(path: context.tasks.taskFilePath(task.id, in: task.project))),
            ("commit", .string(commit)), ("strategy", .string(used)), ("transitions", .array(transitions.map(\.json))),
        ]))
    }
}
