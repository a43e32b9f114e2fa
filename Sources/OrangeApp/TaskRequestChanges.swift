import OrangeCore

extension Commands {
    /// `orange task request-changes <id> "what to change"`: the review loop. The request goes into
    /// the body (`## Review`, `### Round N`), the task goes back to `working`, and its agent gets
    /// the request: typed into its session when it still runs, else a new agent whose prompt
    /// carries it.
    func taskRequestChanges() throws -> CommandResult {
        let task = try requireTask(invocation.positional(0)!)
        let request = try requestText()
        let now = context.clock.now()
        var round = 0
        let note = StatusChangeNote(by: .human, cause: "changes requested", at: now)
        let (before, after) = try context.stores.tasks.update(task.id, in: task.project, recording: note) { record in
            guard [.reviewing, .reviewed].contains(record.status) else {
                throw OrangeError(
                    "task \(record.id) is \(record.status.rawValue); changes are requested of a task in review (reviewing or reviewed)")
            }
            try TransitionTable.check(record.id, from: record.status, to: .working, by: .human)
            (record.body, round) = ReviewNotes.appending(request, at: now, to: record.body)
            record.status = .working
            record.updatedAt = now
            // A person's request starts the agent's count of deaths again, as `task respawn` does.
            record.agentCrashes = 0
        }
        try context.stores.tasks.appendHistory(
            HistoryEvent(
                type: "review.changes_requested", timestamp: now,
                fields: [("round", .int(Int64(round))), ("from", .string(before.status.rawValue))]),
            for: task.id, in: task.project)
        context.logger.info("task", "Changes requested", [("task_id", .string(task.id.rawValue)), ("round", .int(Int64(round)))])

        let delivery = try deliver(request, round: round, to: after)
        return CommandResult(
            text: "Task \(task.id): changes requested (round \(round)); back to working. \(delivery.text)\n",
            json: .object([
                // Read after the delivery: a respawn gave it a workspace and a session.
                ("task", try taskJSON(after)), ("review_round", .int(Int64(round))), ("delivered", .string(delivery.how)),
            ]))
    }

    /// The request: the words after the id, or `--message` (`-`: standard input).
    private func requestText() throws -> String {
        let words = invocation.positionals.dropFirst().joined(separator: " ")
        var text = words
        if let message = invocation.value("message") {
            guard words.isEmpty else { throw usageError("give the request as words or with --message, not both") }
            text = message == "-" ? try context.console.readStandardInput() : message
        }
        guard !text.trimmingSpaces().isEmpty else {
            throw usageError("say what to change: orange task request-changes <id> \"what to change\" (or --message -)")
        }
        return text.trimmingSpaces()
    }

    /// Types the request into the live agent, or starts a new agent with it in its prompt.
    private func deliver(_ request: String, round: Int, to task: TaskRecord) throws -> (how: String, text: String) {
        if let session = task.tmuxSession, context.processes.tmux.hasSession(session), context.processes.tmux.isPaneDead(session) == false {
            // One line: a newline would submit half the request to the agent's input.
            let line =
                "Changes requested in review round \(round) (also in TASK.md under '\(ReviewNotes.heading)'): "
                + request.split(whereSeparator: \.isNewline).joined(separator: " ")
                + " When done, commit and run: orange task update --status reviewing"
            do {
                try context.processes.tmux.sendText(session, text: line)
                return ("typed", "Typed into its session \(session).")
            } catch {
                context.logger.warn(
                    "task", "Could not type the request into the session; respawning",
                    [("task_id", .string(task.id.rawValue)), ("error", .string("\(error)"))])
            }
        }
        switch try Spawner(context: context).spawn(task.id, respawn: true) {
        case .spawned(let workspace, let session):
            return ("respawned", "Its agent was not running: a new one started in \(workspace) (tmux session \(session)) with the request.")
        case .skipped(let reason):
            return ("not_delivered", "No agent was started (\(reason)); the request is in TASK.md.")
        case .failed(let reason, _):
            return ("not_delivered", "Starting its agent failed (\(reason)); the request is in TASK.md.")
        }
    }
}
