import OrangeCore

/// Agents that died without reporting: the task says `working` (or `clarification`) but its
/// session is gone or its program has exited.
///
/// Left alone, such a task would hold its workspace for ever and freeze its project's pool. The
/// first death is respawned in the same workspace, with the harness's resume command and a
/// prompt that says the session ended; the second makes the task `stuck`, a state that needs a
/// person, and frees its workspace unless it holds uncommitted work (then it is kept, and the
/// task says so). Deaths are counted on the task (`agent_crashes`); a person's `task respawn`
/// starts the count again.
struct DeadAgents {
    let context: AppContext
    /// Deaths answered by a respawn before the task is handed to a person.
    static let automaticRespawns = 1

    /// Checks every agent task of `tasks` (full passes only: it asks tmux about each session).
    func handle(_ tasks: [TaskRecord]) throws -> [EngineTransition] {
        var transitions: [EngineTransition] = []
        for task in tasks where [.working, .clarification].contains(task.status) {
            guard let session = task.tmuxSession, context.environment["ORANGE_TASK_ID"] != task.id.rawValue,
                context.stores.spawnGuards.marker(task.id, in: task.project) == nil
            else { continue }
            let gone = !context.processes.tmux.hasSession(session)
            guard gone || context.processes.tmux.isPaneDead(session) == true else { continue }
            if let transition = try answer(task, session: session, how: gone ? "is gone" : "has exited") {
                transitions.append(transition)
            }
        }
        return transitions
    }

    /// Counts the death under the task's lock (of two passes that see it, one answers it), then
    /// respawns the agent or hands the task to a person.
    private func answer(_ task: TaskRecord, session: String, how: String) throws -> EngineTransition? {
        let now = context.clock.now()
        let giveUp = task.agentCrashes >= Self.automaticRespawns
        let note =
            giveUp
            ? "the agent died again without reporting (session \(session) \(how)); a person must look, then run 'orange task respawn \(task.id)'"
            : "the agent died without reporting (session \(session) \(how)); it was started again"
        let (before, after) = try context.stores.tasks.update(
            task.id, in: task.project, recording: StatusChangeNote(by: .engine, cause: "agent died twice", at: now)
        ) { record in
            guard record.tmuxSession == session, record.status == task.status, record.agentCrashes == task.agentCrashes else { return }
            record.agentCrashes += 1
            record.lastError = note
            if giveUp { record.status = .stuck }
            record.updatedAt = now
        }
        guard after.agentCrashes == before.agentCrashes + 1 else { return nil }
        try context.stores.tasks.appendHistory(
            HistoryEvent(
                type: "agent.died", timestamp: now,
                fields: [
                    ("tmux_session", .string(session)), ("crashes", .int(Int64(after.agentCrashes))),
                ]), for: task.id, in: task.project)
        context.logger.warn(
            "engine", "Agent died without reporting",
            [
                ("task_id", .string(task.id.rawValue)), ("session", .string(session)), ("crashes", .int(Int64(after.agentCrashes))),
            ])
        if giveUp { return try handToPerson(after, from: before.status, note: note, at: now) }
        switch try Spawner(context: context).spawn(task.id, respawn: true) {
        case .spawned:
            context.console.diagnostics("warning: task \(task.id): \(note)\n")
            return EngineTransition(id: task.id, project: task.project, from: before.status, to: .working, cause: "agent died; respawned")
        case .skipped(let reason), .failed(let reason, _):
            context.console.diagnostics("warning: task \(task.id): the agent died and could not be started again: \(reason)\n")
            return nil
        }
    }

    /// `stuck`: the dead session is ended and the workspace freed, unless it holds uncommitted
    /// work, which is kept for the person and named on the task.
    private func handToPerson(_ task: TaskRecord, from: TaskStatus, note: String, at now: Timestamp) throws -> EngineTransition {
        let project = try context.stores.projects.list().first { $0.name == task.project }
        try Reconciler(context: context).stopAgent(task, project: project, force: false)
        var kept: String?
        try context.stores.tasks.update(task.id, in: task.project) { record in
            kept = record.workspace
            record.lastError = note + (record.workspace.map { "; its workspace \($0) is kept: it holds uncommitted work" } ?? "")
        }
        context.console.diagnostics(
            "warning: task \(task.id) is stuck: \(note)" + (kept.map { "; workspace \($0) kept (uncommitted work)" } ?? "") + "\n")
        return EngineTransition(id: task.id, project: task.project, from: from, to: .stuck, cause: "agent died twice")
    }
}
