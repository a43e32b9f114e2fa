import OrangeCore

extension Commands {
    /// Whether `task create` started the new task's agent, and if not, why: the `spawn` member of
    /// its JSON and a line of its text, so a script learns it from the result and not only from a
    /// warning on stderr. The task was created either way (exit status 0); see docs/cli.md.
    func spawnReport(for task: TaskRecord, requested: Bool) throws -> (json: JSONValue, line: String?) {
        if let session = task.tmuxSession, task.status == .working {
            return (
                .object([
                    ("started", .bool(true)), ("workspace", .optional(task.workspace)), ("session", .string(session)), ("reason", .null),
                ]),
                nil
            )
        }
        let reason: String
        if !requested {
            reason = "not asked to (--no-spawn); a running 'orange watch' or the next orange command starts it when it is ready"
        } else if task.status != .pending {
            reason = "the task was created \(task.status.rawValue)"
        } else {
            let lines: [String]
            if let answer = try? askEngine(.why, .object([("id", .string(task.id.rawValue))])), let text = answer["text"]?.stringValue {
                lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            } else {
                let view = GraphView(tasks: try context.stores.tasks.scan(project: nil).tasks)
                lines = (try? view.why(task.id, readyNote: readyNote(in: view))) ?? []
            }
            // The first line of `task why`: the task's own state; the rest is the chain below it.
            reason = lines.first?.trimmingSpaces() ?? "it waits for a free workspace slot"
        }
        return (
            .object([("started", .bool(false)), ("workspace", .null), ("session", .null), ("reason", .string(reason))]),
            requested ? "Agent not started: \(reason)" : nil
        )
    }
}
