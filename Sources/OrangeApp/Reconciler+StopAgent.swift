import OrangeCore

/// Ending an agent that no longer runs (delegated, done, cancelled, failed): its session ended
/// and its workspace released, under the task's spawn lock.
extension Reconciler {
    /// Ends the task's agent and gives its workspace back, in that order: the session is ended
    /// and every process it started has exited (`AgentSessions`) before the worktree is reset, so
    /// a workspace is never handed to another task while the previous agent can still run in it.
    /// A workspace that cannot be released (uncommitted work, processes that would not exit)
    /// stays bound and the task says why.
    ///
    /// `task` is the caller's read, which may be old (the engine decides on its graph): by now the
    /// task may have been released and spawned again, under the same session name and maybe in
    /// the same slot. So this runs under the task's spawn lock, on the task as it is now, and only
    /// if its status is still the one the caller decided on.
    ///
    /// An agent's own command (reporting `delegated`, say) does not wait for that lock: whoever
    /// holds it is ending this very session and waits for this command to exit, so waiting here
    /// would only make both wait until the kill. The holder releases the workspace itself.
    func stopAgent(_ task: TaskRecord, project: Project?, force: Bool) throws {
        // Shared tasks: the session and workspace named are another machine's; that machine ends
        // and frees them when it sees the new status.
        guard ClaimRule.runsHere(task, machine: context.stores.claims.machine) else { return }
        let ownTask = context.environment["ORANGE_TASK_ID"] == task.id.rawValue
        do {
            try context.stores.spawnGuards.withSpawnLock(task.id, in: task.project, timeoutSeconds: ownTask ? 0 : 30) {
                guard let current = try context.stores.tasks.find(task.id), current.status == task.status else { return }
                try stopAgentLocked(current, project: project, force: force)
            }
        } catch is SpawnLockBusy where ownTask {
            context.logger.info("agent", "Another process is ending this agent's session", [("task_id", .string(task.id.rawValue))])
        }
    }

    private func stopAgentLocked(_ task: TaskRecord, project: Project?, force: Bool) throws {
        var releaseError: String?
        var sessionEnded = true
        if let session = task.tmuxSession {
            sessionEnded = AgentSessions(context: context).end(session)
            if !sessionEnded {
                releaseError =
                    "the agent's session \(session) still runs processes that would not exit; its workspace stays bound until they do"
            }
        }
        if sessionEnded, let workspace = task.workspace {
            do {
                try Workspaces(context: context).release(workspace, task: task, project: project, force: force)
            } catch {
                releaseError = "\(error)"
            }
        }
        if task.workspace != nil && releaseError == nil { CrashPoint.reach("release.unbound", context) }
        let now = context.clock.now()
        // Written only when something changed: the watcher sees every write, and a retry that
        // rewrote the same failure would wake it again and again.
        var released = false
        try context.stores.tasks.update(task.id, in: task.project) { record in
            let before = record
            if sessionEnded, record.tmuxSession == task.tmuxSession { record.tmuxSession = nil }
            if let releaseError {
                record.lastError = releaseError
            } else if record.workspace != nil, record.workspace == task.workspace {
                record.workspace = nil
                released = true
            }
            if record != before { record.updatedAt = now }
        }
        if let releaseError {
            context.console.diagnostics("warning: task \(task.id): \(releaseError)\n")
        } else if released {
            try context.stores.tasks.appendHistory(
                HistoryEvent(type: "workspace.released", timestamp: now, fields: [("workspace", .optional(task.workspace))]),
                for: task.id, in: task.project)
        }
    }

    /// Spawns ready tasks into the free slots of their projects, oldest first. A ready task that
    /// cannot start (its harness or tmux missing, a failed spawn's retry not due yet) is left out
    /// before slots are handed out, so it never takes the turn of one that can.
}
