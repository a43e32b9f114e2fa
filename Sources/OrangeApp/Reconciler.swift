import OrangeCore

/// A status change orange made on its own, with the reason, for output and `--json`.
public struct EngineTransition: Sendable, Equatable {
    public var id: TaskID
    public var project: ProjectName
    public var from: TaskStatus
    public var to: TaskStatus
    public var cause: String

    public var line: String { "  \(id)  \(from.rawValue) → \(to.rawValue)  (\(cause))" }

    public var json: JSONValue {
        .object([
            ("id", .string(id.rawValue)), ("project", .string(project.rawValue)),
            ("from", .string(from.rawValue)), ("to", .string(to.rawValue)), ("cause", .string(cause)),
        ])
    }
}

/// "Reconcile this set of tasks": the single entry point the CLI calls after its own writes and
/// the watcher calls on events, so the engine behaves the same whoever triggers it.
///
/// Today it applies due auto-completions (a delegated task whose children are all done becomes
/// done, cascading up). Spawning ready tasks hooks in here too.
public struct Reconciler: Sendable {
    public var context: AppContext

    public init(context: AppContext) {
        self.context = context
    }

    /// Re-evaluates the part of the graph that `changed` can affect (the whole graph when nil)
    /// and applies what is due. Returns what it changed, in order.
    @discardableResult
    public func reconcile(changed: [TaskID]?) throws -> [EngineTransition] {
        let scan = try context.tasks.scan(project: nil)
        let view = GraphView(tasks: scan.tasks)
        var transitions: [EngineTransition] = []
        for id in view.dueAutoCompletions(changed: changed) {
            guard let task = view.task(id) else { continue }
            let now = context.clock.now()
            let (before, after) = try context.tasks.update(id, in: task.project) { record in
                // Children only ever move to done, never back, so the decision made from the
                // scan still holds; the status is re-checked against the file under the lock.
                guard record.status == .delegated else { return }
                record.status = .done
                record.updatedAt = now
            }
            guard before.status == .delegated, after.status == .done else { continue }
            let cause = "all \(view.children(of: id).count) children done"
            try context.tasks.appendHistory(
                HistoryEvent(type: "status.changed", timestamp: now, fields: [
                    ("from", "delegated"), ("to", "done"), ("by", "engine"), ("cause", .string(cause)),
                ]), for: id, in: task.project)
            context.logger.info("engine", "Auto-completed delegated task", [("task_id", .string(id.rawValue))])
            transitions.append(EngineTransition(id: id, project: task.project, from: .delegated, to: .done, cause: cause))
        }
        return transitions
    }
}
