import OrangeCore

/// `task hold` and `task unhold`: a person's hold on a task, kept in its TASK.md (`hold:`), so
/// it survives every later edit, unlike `task create --no-spawn`, which only skips one start.
extension Commands {
    func taskHold() throws -> CommandResult {
        let task = try requireTask(invocation.positional(0)!)
        let reason = (invocation.value("reason") ?? "").trimmingSpaces()
        if reason.contains(where: { $0 == "\n" || $0 == "\r" }) { throw usageError("--reason must be one line") }
        let now = context.clock.now()
        let (before, after) = try context.stores.tasks.update(task.id, in: task.project) { record in
            if record.status.isTerminal {
                throw OrangeError("task \(record.id) is \(record.status.rawValue); there is nothing to hold")
            }
            guard record.hold != reason else { return }
            record.hold = reason
            record.updatedAt = now
        }
        if before.hold != after.hold {
            try context.stores.tasks.appendHistory(
                HistoryEvent(type: "task.held", timestamp: now, fields: [("reason", .optional(reason.isEmpty ? nil : reason))]),
                for: task.id, in: task.project)
        }
        var text = "Task \(task.id) " + (before.hold == after.hold ? "was already " : "") + (after.holdText ?? "held")
        if after.status.hasAgent {
            text += "; its agent keeps running (the hold keeps the task from starting again if it goes back to pending)"
        }
        text += "; lift with 'orange task unhold \(task.id)'\n"
        return CommandResult(text: text, json: .object([("task", try taskJSON(after))]))
    }

    func taskUnhold() throws -> CommandResult {
        let task = try requireTask(invocation.positional(0)!)
        let now = context.clock.now()
        let (_, after) = try context.stores.tasks.update(task.id, in: task.project) { record in
            guard record.hold != nil else { throw OrangeError("task \(record.id) is not held") }
            record.hold = nil
            record.updatedAt = now
        }
        try context.stores.tasks.appendHistory(HistoryEvent(type: "task.unheld", timestamp: now), for: task.id, in: task.project)
        var text = "Task \(task.id) is no longer held\n"
        // The task may be ready now: start it like any other change would.
        let transitions = try Reconciler(context: context).reconcile(changed: [task.id])
        text += transitions.map { $0.line + "\n" }.joined()
        let fresh = try context.stores.tasks.find(task.id) ?? after
        if fresh.status == .working, let session = fresh.tmuxSession {
            text += "Spawned agent for task \(task.id) in \(fresh.workspace ?? "-") (tmux session \(session))\n"
        }
        return CommandResult(text: text, json: try taskChange(fresh, transitions: transitions))
    }
}
