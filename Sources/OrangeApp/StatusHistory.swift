import OrangeCore

extension HistoryEvent {
    /// The `status.changed` line every status change writes: from, to, who, and why when known.
    static func statusChanged(from: TaskStatus, to: TaskStatus, by actor: TransitionActor, cause: String? = nil, at time: Timestamp) -> HistoryEvent {
        var fields: [(String, JSONValue)] = [("from", .string(from.rawValue)), ("to", .string(to.rawValue)), ("by", .string(actor.rawValue))]
        if let cause { fields.append(("cause", .string(cause))) }
        return HistoryEvent(type: "status.changed", timestamp: time, fields: fields)
    }
}
