extension HistoryEvent {
    /// The `status.changed` line every status change writes: from, to, who, and why when known.
    public static func statusChanged(from: TaskStatus, to: TaskStatus, by actor: TransitionActor, cause: String? = nil, at time: Timestamp)
        -> HistoryEvent
    {
        var fields: [(String, JSONValue)] = [
            ("from", .string(from.rawValue)), ("to", .string(to.rawValue)), ("by", .string(actor.rawValue)),
        ]
        if let cause { fields.append(("cause", .string(cause))) }
        return HistoryEvent(type: "status.changed", timestamp: time, fields: fields)
    }
}

extension [HistoryEvent] {
    /// The status the history last recorded: the last `status.changed` line's `to`, else the
    /// status the task was created with, else `pending` (older histories do not name it).
    public var lastRecordedStatus: TaskStatus {
        for event in reversed() {
            let field = event.type == "status.changed" ? "to" : event.type == "task.created" ? "status" : nil
            guard let field else { continue }
            let value = JSONValue.object(event.fields)[field]?.stringValue.flatMap(TaskStatus.init(rawValue:))
            if event.type == "status.changed" || value != nil { return value ?? .pending }
        }
        return .pending
    }
}

/// Who changed a task's status and why, handed to `TaskStore.update` so the store writes the
/// change's `status.changed` line itself, as part of the same locked write (see `FileTaskStore`).
public struct StatusChangeNote: Hashable, Sendable {
    public var actor: TransitionActor
    public var cause: String?
    public var time: Timestamp

    public init(by actor: TransitionActor, cause: String? = nil, at time: Timestamp) {
        self.actor = actor
        self.cause = cause
        self.time = time
    }

    /// The history line for a change from `from` to `to`.
    public func event(from: TaskStatus, to: TaskStatus) -> HistoryEvent {
        .statusChanged(from: from, to: to, by: actor, cause: cause, at: time)
    }
}
