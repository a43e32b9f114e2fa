import OrangeCore

extension Commands {
    /// Merges a reviewed task's branch **on origin**, from a worktree of orange's: the user's
    /// checkout is never checked out, reset or merged into (the original's B3). A failed push is
    /// an error (B5), and on any failure the worktree is put back on the task's branch.
    ///
    /// The target is the default branch, or, when the task's parent has the hierarchical branch
    /// model, the parent's branch (created on origin first if missing). A parent whose branch
    /// gathered its children's work is merged from `origin/<its branch>`; its own workspace is
    /// gone (it delegated), so a temporary detached worktree is used and removed after.
    func taskMerge() throws -> CommandResult {
        let strategy = invocation.value("strategy") ?? "auto"
        guard ["auto", "ff", "merge"].contains(strategy) else { throw usageError("invalid --strategy '\(strategy)'; use ff or merge") }
        let task = try requireTask(invocation.positional(0)!)
        try TransitionTable.check(task.id, from: task.status, to: .done, by: .human)
        guard task.status == .reviewed else {
            throw OrangeError("task \(task.id) is \(task.status.rawValue); approve it first ('orange task approve \(task.id)')")
        }
        guard let project = try context.stores.projects.list().first(where: { $0.name == task.project }) else {
            throw OrangeError("project '\(task.project)' is not registered")
        }
        // Shared tasks: its worktree is on the machine that ran it, not here.
        if task.workspace != nil, !ClaimRule.runsHere(task, machine: context.stores.claims.machine) {
            throw OrangeError("task \(task.id) ran on machine \(task.claimedBy ?? "?"), which holds its worktree; merge it there")
        }
        if project.merging.route == .pr { return try mergeThroughPullRequest(task, project: project) }
        guard context.processes.git.hasRemote(project.path, named: "origin") else {
            throw OrangeError(
                "project '\(project.name)' has no 'origin' remote; orange merges by pushing to origin so your checkout is never touched. Merge '\(task.branch)' yourself, then run 'orange task update \(task.id) --status done --as human'"
            )
        }
        let graph = TaskGraph(try context.stores.tasks.scan(project: task.project).tasks)
        let parent = graph.branchParent(of: task.id, project: project.modes).flatMap { graph[$0] }
        let aggregate = graph.aggregatesChildren(task.id, project: project.modes)
        let target = parent?.branch ?? project.defaultBranch

        let path: String
        var temporary: String?  // a worktree's name under the workspaces root
        if let workspace = task.workspace {
            path = context.workspacePath(workspace)
            if try context.processes.git.isDirty(path) {
                throw OrangeError("workspace \(workspace) has uncommitted changes; commit them on '\(task.branch)' first")
            }
        } else if aggregate {
            let made = ".merge-\(task.id)-\(context.clock.now().millisecondsSinceEpoch)"
            try context.stores.workspaceFolders.makeRoot()
            path = context.workspacePath(made)
            try context.processes.git.addWorktree(
                repository: project.path, path: path, detachedAt: Workspaces(context: context).startPoint(project))
            temporary = made
        } else {
            throw OrangeError(
                "task \(task.id) has no workspace; merge branch '\(task.branch)' yourself, then run 'orange task update \(task.id) --status done --as human'"
            )
        }
        defer {
            if let temporary {
                try? context.stores.workspaceFolders.remove(temporary)
                try? context.processes.git.pruneWorktrees(repository: project.path)
            }
        }
        let used: String
        var base = ""
        do {
            try context.processes.git.fetch(path)
            if parent != nil { try Workspaces(context: context).ensureOnOrigin(target, in: path, project: project) }
            // The aggregate lives on origin (the children pushed it there), and the parent's own
            // later commits (changes asked for in its review) on its local branch: both go in.
            var sources = [task.branch]
            if aggregate && context.processes.git.remoteBranchExists(path, task.branch) {
                sources = ["origin/" + task.branch] + (context.processes.git.branchExists(path, task.branch) ? [task.branch] : [])
            }
            try context.processes.git.detach(path, at: "origin/" + target)
            base = (try? context.processes.git.revParse(path, "HEAD")) ?? ""
            used = try sources.map { try merge($0, in: path, strategy: strategy, message: "Merge \(task.branch) (orange task \(task.id))") }
                .first!
            try context.processes.git.push(path, remote: "origin", refspec: "HEAD:refs/heads/" + target)
            CrashPoint.reach("merge.pushed", context)
        } catch {
            let conflicts = context.processes.git.conflictedFiles(path)
            // Leave the worktree as the agent had it: on its branch, no half-done merge.
            try? context.processes.git.abortMerge(path)
            try? context.processes.git.resetHard(path, to: "HEAD")
            if temporary == nil { try? context.processes.git.checkout(path, branch: task.branch) }
            if let parent, !conflicts.isEmpty, temporary == nil {
                throw try MergeConflict(context: context).sendBack(task, parentBranch: parent.branch, files: conflicts)
            }
            throw OrangeError("merging task \(task.id) failed, nothing was pushed: \(error)")
        }
        let commit = (try? context.processes.git.revParse(path, "HEAD")) ?? ""
        if context.processes.git.remoteBranchExists(path, task.branch) {
            do { try context.processes.git.push(path, remote: "origin", refspec: ":refs/heads/" + task.branch) } catch {
                context.console.diagnostics("warning: merged, but could not delete origin/\(task.branch): \(error)\n")
            }
        }
        let now = context.clock.now()
        let (_, after) = try context.stores.tasks.update(
            task.id, in: task.project, recording: StatusChangeNote(by: .human, cause: "merged", at: now)
        ) { record in
            record.status = .done
            record.updatedAt = now
        }
        CrashPoint.reach("merge.recorded", context)
        try context.stores.tasks.appendHistory(
            HistoryEvent(
                type: "task.merged", timestamp: now,
                fields: [("commit_hash", .string(commit)), ("base", .string(base)), ("strategy", .string(used)), ("into", .string(target))]),
            for: task.id, in: task.project)
        // Frees the worktree and starts whatever the merge made ready.
        let transitions = try Reconciler(context: context).reconcile(changed: [task.id])
        let text =
            "Task \(task.id) merged into origin/\(target) (\(used), \(commit.prefix(12)))\n" + transitions.map { $0.line + "\n" }.joined()
        return CommandResult(
            text: text,
            json: .object([
                // Read after the reconcile: the task as the merge left it, its workspace released.
                ("task", try taskJSON(after)),
                ("commit", .string(commit)), ("strategy", .string(used)), ("into", .string(target)),
                // A merge through a pull request has the same members (docs/json.md).
                ("url", .optional(after.prURL)), ("merged", .bool(true)), ("transitions", .array(transitions.map(\.json))),
            ]))
    }

    /// Merges `source` into the detached HEAD: fast-forward when possible (`auto`), else a merge
    /// commit; `ff` and `merge` force one. Returns the one used.
    private func merge(_ source: String, in path: String, strategy: String, message: String) throws -> String {
        switch strategy {
        case "ff":
            try context.processes.git.merge(path, branch: source, fastForwardOnly: true, message: message)
            return "ff"
        case "merge":
            try context.processes.git.merge(path, branch: source, fastForwardOnly: false, message: message)
            return "merge"
        default:
            do {
                try context.processes.git.merge(path, branch: source, fastForwardOnly: true, message: message)
                return "ff"
            } catch {
                try context.processes.git.merge(path, branch: source, fastForwardOnly: false, message: message)
                return "merge"
            }
        }
    }
}
