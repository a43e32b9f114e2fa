import OrangeCore

/// The pooled worktrees of each project: acquiring a slot for a task, preparing it, releasing it.
///
/// Release never moves a branch (it detaches first), refuses to throw away uncommitted work
/// unless forced, and never runs anything in the user's own checkout.
struct Workspaces {
    let context: AppContext

    private var folders: any WorkspaceFolders { context.stores.workspaceFolders }

    /// Binds a worktree to the task under the pool lock, creating the worktree when the pool may
    /// still grow. Returns nil when the project's pool is full.
    func acquire(for task: TaskRecord, project: Project) throws -> String? {
        try context.stores.pool.update { pool -> String? in
            switch pool.decide(for: task.id, in: project.name, poolSize: project.poolSize) {
            case .exhausted:
                return nil
            case .reuse(let slot):
                if !folders.isFolder(slot.name) {
                    try createWorktree(slot.name, project: project)
                }
                pool.bind(slot, to: task.id)
                return slot.name
            case .create(let slot):
                try createWorktree(slot.name, project: project)
                pool.bind(slot, to: task.id)
                return slot.name
            }
        }
    }

    private func createWorktree(_ name: String, project: Project) throws {
        let path = context.workspacePath(name)
        if folders.isOccupied(name) {
            // Not in the pool, whose lock is held: no task ever ran here. This is what a process
            // killed while creating this worktree leaves (git's folder made, the pool not yet
            // written). A complete, clean worktree is taken as it is; anything else is moved
            // aside, never deleted, and made anew.
            if context.processes.git.topLevel(of: path) == folders.resolvedPath(name), (try? context.processes.git.isDirty(path)) == false {
                context.logger.warn("workspace", "Adopted a worktree left by an interrupted spawn", [("workspace", .string(name))])
                return
            }
            let asideName = ".\(name).interrupted-\(context.clock.now().millisecondsSinceEpoch)"
            let aside = context.workspacePath(asideName)
            try folders.moveAside(name, as: asideName)
            try context.processes.git.pruneWorktrees(repository: project.path)
            context.console.diagnostics(
                "warning: workspace folder \(path) was not in the pool (left by an interrupted spawn); moved it to \(aside)\n")
            context.logger.warn(
                "workspace", "Moved aside a worktree left by an interrupted spawn",
                [("workspace", .string(name)), ("moved_to", .string(aside))])
        }
        try folders.makeRoot()
        try context.processes.git.addWorktree(repository: project.path, path: path, detachedAt: startPoint(project))
        CrashPoint.reach("workspace.created", context)  // the folder exists, the pool does not list it yet
        context.logger.info("workspace", "Worktree created", [("workspace", .string(name))])
    }

    /// Where new branches start: `origin/<default>` when there is an origin, else `<default>`.
    func startPoint(_ project: Project) -> String {
        context.processes.git.remoteBranchExists(project.path, project.defaultBranch)
            ? "origin/\(project.defaultBranch)" : project.defaultBranch
    }

    /// Where a new branch of `task` starts: its parent's branch on origin when the parent's
    /// branch model is hierarchical (so a child sees the work its blockers merged there), else
    /// the project's start point.
    func startPoint(for task: TaskRecord, in graph: TaskGraph, project: Project, path: String) throws -> String {
        guard let parentID = graph.branchParent(of: task.id, project: project.modes), let parent = graph[parentID] else {
            return startPoint(project)
        }
        guard context.processes.git.hasRemote(project.path, named: "origin") else {
            return context.processes.git.branchExists(path, parent.branch) ? parent.branch : startPoint(project)
        }
        try ensureOnOrigin(parent.branch, in: path, project: project)
        return "origin/" + parent.branch
    }

    /// Puts `branch` on origin when it is not there yet: from the local branch of that name
    /// (a parent's own commits before it delegated), else from the default branch. Fetches after.
    func ensureOnOrigin(_ branch: String, in path: String, project: Project) throws {
        if context.processes.git.remoteBranchExists(path, branch) { return }
        let source = context.processes.git.branchExists(path, branch) ? "refs/heads/" + branch : startPoint(project)
        do {
            try context.processes.git.push(path, remote: "origin", refspec: "\(source):refs/heads/\(branch)")
        } catch {
            // Another child may have created it at the same moment; only its absence is an error.
            try context.processes.git.fetch(path)
            guard context.processes.git.remoteBranchExists(path, branch) else { throw error }
            return
        }
        try context.processes.git.fetch(path)
    }

    /// Serialises all git work in one worktree across processes: the engine, the CLI and agents'
    /// own commands may all try to release or prepare the same worktree at once, and two gits in
    /// one worktree fail on its index.lock.
    func withWorktreeLock<T>(_ workspace: String, _ body: () throws -> T) throws -> T {
        try folders.withLock(workspace, timeoutSeconds: 120, body)
    }

    /// Puts the task's branch in the worktree: the existing branch if there is one (local or on
    /// origin), else a new one from the start point.
    func prepare(_ workspace: String, for task: TaskRecord, project: Project, harness: Harness) throws {
        try withWorktreeLock(workspace) { try prepareLocked(workspace, for: task, project: project, harness: harness) }
    }

    private func prepareLocked(_ workspace: String, for task: TaskRecord, project: Project, harness: Harness) throws {
        let path = context.workspacePath(workspace)
        if context.processes.git.hasRemote(project.path, named: "origin") {
            do { try context.processes.git.fetch(path) } catch {
                context.logger.warn("workspace", "git fetch failed; using what is already here", [("error", .string("\(error)"))])
            }
        }
        // Only a task in a parent/child relation can have a branch model to follow.
        let graph =
            task.parent != nil || !task.children.isEmpty
            ? TaskGraph(try context.stores.tasks.scan(project: task.project).tasks) : TaskGraph([task])
        if context.processes.git.currentBranch(path) != task.branch {
            try context.processes.git.detach(path, at: nil)
            if context.processes.git.branchExists(path, task.branch) {
                try context.processes.git.checkout(path, branch: task.branch)
            } else if context.processes.git.remoteBranchExists(path, task.branch) {
                try context.processes.git.checkoutNewBranch(path, branch: task.branch, from: "origin/" + task.branch)
            } else {
                try context.processes.git.checkoutNewBranch(
                    path, branch: task.branch, from: startPoint(for: task, in: graph, project: project, path: path))
            }
        }
        // A hierarchical parent back for a turn sees what its children merged into its branch.
        if graph.aggregatesChildren(task.id, project: project.modes), context.processes.git.remoteBranchExists(path, task.branch) {
            try? context.processes.git.merge(path, branch: "origin/" + task.branch, fastForwardOnly: true, message: "")
        }
        try context.processes.git.addExcludes(path, patterns: Harnesses.commonExcludes + harness.excludes)
        try folders.linkTaskFile(in: workspace, to: context.stores.tasks.taskFilePath(task.id, in: task.project))
        for file in harness.setupFiles { try folders.writeSetupFile(file, in: workspace) }
    }

    /// Frees the task's worktree for the next task: detach (the task's branch stays where it
    /// is), reset to the start point, clean, unbind. Uncommitted work stops it unless `force`.
    func release(_ workspace: String, task: TaskRecord?, project: Project?, force: Bool) throws {
        try withWorktreeLock(workspace) {
            // Someone else may have released it while this waited (and a new task may have it).
            if let task, try context.stores.pool.read().slot(named: workspace)?.task != task.id { return }
            try releaseLocked(workspace, task: task, project: project, force: force)
        }
    }

    private func releaseLocked(_ workspace: String, task: TaskRecord?, project: Project?, force: Bool) throws {
        let path = context.workspacePath(workspace)
        if folders.isFolder(workspace) {
            try keepReplacedTaskFile(in: workspace, task: task)
            if !force, try context.processes.git.isDirty(path) {
                throw OrangeError(
                    "workspace \(workspace) has uncommitted changes; commit them on the task's branch, or release it with --force to discard them"
                )
            }
            try context.processes.git.detach(path, at: nil)
            let base = project.map(startPoint) ?? "HEAD"
            try context.processes.git.resetHard(path, to: context.processes.git.refExists(path, base) ? base : "HEAD")
            try context.processes.git.clean(path)
        }
        try context.stores.pool.update { $0.release(workspace) }
        context.logger.info("workspace", "Workspace released", [("workspace", .string(workspace))])
    }

    /// The workspace's TASK.md should be a symlink to the task's file. An editor that saves by
    /// rename (or `sed -i`) turns it into a plain copy the task never saw: apply it as the engine
    /// would (`WorkspaceTaskFileRepair`), or, when it cannot be applied (the task is done, or was
    /// changed since), keep it next to the task; never delete it.
    private func keepReplacedTaskFile(in workspace: String, task: TaskRecord?) throws {
        let link = context.workspacePath(workspace) + "/TASK.md"
        let found = folders.taskFile(in: workspace)
        if found == .missing { return }
        if found != .link, let task {
            var failure = ""
            do {
                _ = try WorkspaceTaskFileRepair(context: context).repairLocked(workspace, task: task.id, project: task.project)
            } catch {
                failure = " (\(error))"
            }
            // Not repaired (the task is gone, its own file is malformed, or this is no plain file):
            // keep whatever it is next to the task.
            if ![.missing, .link].contains(folders.taskFile(in: workspace)) {
                let taskFile = context.stores.tasks.taskFilePath(task.id, in: task.project)
                let name = DetachedTaskFile.keptAsideName(atMilliseconds: context.clock.now().millisecondsSinceEpoch)
                let keep = try folders.moveTaskFile(in: workspace, nextTo: taskFile, as: name)
                context.logger.warn("workspace", "TASK.md in the workspace had replaced its symlink; kept it", [("kept", .string(keep))])
                context.console.diagnostics(
                    "warning: \(link) was not the link to the task and could not be applied\(failure); kept it as \(keep)\n")
                return
            }
        }
        try folders.removeTaskFile(in: workspace)
    }
}
