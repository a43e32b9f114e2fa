import OrangeCore

extension Commands {
    func taskSpawn() throws -> CommandResult {
        let task = try requireTask(invocation.positional(0)!)
        guard task.status == .pending else {
            throw OrangeError(
                "task \(task.id) is \(task.status.rawValue), not pending"
                    + (task.status.hasAgent ? "; use 'orange task respawn' if its agent stopped" : ""))
        }
        let view = GraphView(tasks: try context.stores.tasks.scan(project: nil).tasks)
        guard view.isReady(task.id) else {
            throw OrangeError("task \(task.id) is not ready: \(view.readinessSummary(task)); see 'orange task why \(task.id)'")
        }
        return try spawnResult(task, try Spawner(context: context).spawn(task.id))
    }

    func taskRespawn() throws -> CommandResult {
        let task = try requireTask(invocation.positional(0)!)
        if task.status == .pending { throw OrangeError("task \(task.id) is pending; use 'orange task spawn \(task.id)'") }
        if [.done, .cancelled, .delegated].contains(task.status) {
            throw OrangeError("task \(task.id) is \(task.status.rawValue); there is no agent to respawn")
        }
        // A person starting the agent again starts the count of deaths again (`DeadAgents`).
        if task.agentCrashes > 0 { try context.stores.tasks.update(task.id, in: task.project) { $0.agentCrashes = 0 } }
        return try spawnResult(task, try Spawner(context: context).spawn(task.id, respawn: true))
    }

    private func spawnResult(_ task: TaskRecord, _ outcome: Spawner.Outcome) throws -> CommandResult {
        switch outcome {
        case .spawned(let workspace, let session):
            return CommandResult(
                text: "Spawned agent for task \(task.id) in \(workspace) (tmux session \(session))\n",
                json: .object([("task", try taskJSON(task))]))
        case .skipped(let reason):
            throw OrangeError("task \(task.id) was not spawned: \(reason)")
        case .failed(let reason, let taskFailed):
            throw OrangeError(
                "spawning task \(task.id) failed: \(reason)"
                    + (taskFailed ? " (second failure in a row: the task is now failed)" : " (rolled back; the task is pending again)"))
        }
    }

    func taskAttach() throws -> CommandResult {
        let task = try requireTask(invocation.positional(0)!)
        guard let session = task.tmuxSession, context.processes.tmux.hasSession(session) else {
            throw OrangeError(
                "task \(task.id) has no running session"
                    + (task.status.hasAgent ? "; start a new one with 'orange task respawn \(task.id)'" : ""))
        }
        let argv = context.processes.tmux.attachCommand(session, insideTmux: context.environment["TMUX"] != nil)
        if invocation.wantsJSON {
            return CommandResult(
                text: "",
                json: .object([
                    ("task", try taskJSON(task)), ("session", .string(session)), ("attach", .array(argv.map { .string($0) })),
                ]))
        }
        let code = try context.processes.runInteractive(argv)
        return CommandResult(text: "", json: .null, exitCode: code)
    }

    func taskApprove() throws -> CommandResult { try humanTransition(to: .reviewed, verb: "approved") }
    /// Only a reviewed task goes back to review: on a task already reviewing it would change
    /// nothing, and saying "sent back to review" would tell of a write that never happened.
    func taskUnapprove() throws -> CommandResult { try humanTransition(to: .reviewing, verb: "sent back to review", from: .reviewed) }

    private func humanTransition(to status: TaskStatus, verb: String, from required: TaskStatus? = nil) throws -> CommandResult {
        let task = try requireTask(invocation.positional(0)!)
        let now = context.clock.now()
        let (_, after) = try context.stores.tasks.update(task.id, in: task.project, recording: StatusChangeNote(by: .human, at: now)) {
            record in
            if let required, record.status != required {
                throw OrangeError("task \(record.id) is \(record.status.rawValue), not \(required.rawValue)")
            }
            try TransitionTable.check(record.id, from: record.status, to: status, by: .human)
            record.status = status
            record.updatedAt = now
        }
        return CommandResult(
            text: "Task \(task.id) \(verb) (\(status.rawValue))\n",
            json: .object([("task", try taskJSON(after))]))
    }
}
