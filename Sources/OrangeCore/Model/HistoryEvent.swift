/// One line of a task's `history.jsonl`: what happened, when, and the details.
public struct HistoryEvent: Hashable, Sendable {
    /// `task.created`, `status.changed`, `agent.spawned`, … (see docs/task-format.md).
    public var type: String
    public var timestamp: Timestamp
    /// Extra fields, in the order they are written.
    public var fields: [(String, JSONValue)]

    public init(type: String, timestamp: Timestamp, fields: [(String, JSONValue)] = []) {
        self.type = type
        self.timestamp = timestamp
        self.fields = fields
    }

    public static func == (a: HistoryEvent, b: HistoryEvent) -> Bool {
        a.type == b.type && a.timestamp == b.timestamp && JSONValue.object(a.fields) == JSONValue.object(b.fields)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(type)
        hasher.combine(timestamp)
        hasher.combine(JSONValue.object(fields))
    }

    public var json: JSONValue {
        .object([("type", .string(type)), ("timestamp", .string(timestamp.rfc3339))] + fields)
    }

    /// Reads a history line back; nil for a line that is not an object with `type` and `timestamp`.
    public init?(json: JSONValue) {
        guard let pairs = json.objectValue, let type = json["type"]?.stringValue,
            let ts = json["timestamp"]?.stringValue, let timestamp = Timestamp(rfc3339: ts)
        else { return nil }
        self.type = type
        self.timestamp = timestamp
        self.fields = pairs.filter { $0.0 != "type" && $0.0 != "timestamp" }
    }
}
