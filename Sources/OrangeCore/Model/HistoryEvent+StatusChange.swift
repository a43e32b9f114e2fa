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
            if let status = event.recordedStatus { return status }
        }
        return .pending
    }
}

extension HistoryEvent {
    /// The status this line settles for `lastRecordedStatus` when it is the last line that
    /// settles one: a `status.changed` line's `to` (`pending` when unreadable), a `task.created`
    /// line's readable `status`; nil for any other line, which the search passes over.
    public var recordedStatus: TaskStatus? {
        let field = type == "status.changed" ? "to" : type == "task.created" ? "status" : nil
        guard let field else { return nil }
        let value = JSONValue.object(fields)[field]?.stringValue.flatMap(TaskStatus.init(rawValue:))
        if type == "status.changed" || value != nil { return value ?? .pending }
        return nil
    }

    /// One line of a `history.jsonl`, without its line break; nil for a torn or hand-edited line
    /// (not UTF-8, not JSON, or not an event), which readers skip.
    public init?(jsonLine line: ArraySlice<UInt8>) {
        // Concrete, not generic: an unspecialized `String(validating:)` decodes byte by byte.
        let text = line.withUnsafeBufferPointer { String(validating: $0, as: UTF8.self) }
        guard let text, let json = try? JSONValue.parse(text) else { return nil }
        self.init(json: json)
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
