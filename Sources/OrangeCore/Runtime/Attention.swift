/// When a task needs a person, read from the end of its history: it reached `reviewing`, `stuck`
/// or `failed`, a delegated parent was completed by orange, or its pull request was merged or
/// closed. Each such line is answered by one `attention.notified` line after it, which is what
/// makes the notification happen once, across engine restarts.
public enum Attention {
    /// The history line the engine writes when it notifies (`event`: the event's name).
    public static let notifiedType = "attention.notified"
    /// The cause the engine writes for a status it found in TASK.md without a history line: an
    /// agent's or editor's edit, not a person's command.
    static let editedOutsideCause = "TASK.md edited outside orange"

    /// Event names, as the hook's `{event}` gets them.
    public static let reviewing = "reviewing"
    public static let stuck = "stuck"
    public static let failed = "failed"
    public static let parentDone = "done"
    public static let prMerged = "pr.merged"
    public static let prClosed = "pr.closed"
    public static let engineDegraded = "engine.degraded"

    /// The event the end of `history` calls a person for and no `attention.notified` answers yet,
    /// with the index of its line; nil when there is none or the task has moved on since (a
    /// person acted, or the task went back to work).
    public static func due(in history: [HistoryEvent]) -> (event: String, line: Int)? {
        for index in history.indices.reversed() {
            let line = history[index]
            switch line.type {
            case notifiedType:
                return nil
            case "pr.merged":
                return (prMerged, index)
            case "pr.closed":
                return (prClosed, index)
            case "status.changed":
                let fields = JSONValue.object(line.fields)
                let to = fields["to"]?.stringValue.flatMap(TaskStatus.init(rawValue:))
                let from = fields["from"]?.stringValue.flatMap(TaskStatus.init(rawValue:))
                // A person's own command: they know.
                if fields["by"]?.stringValue == TransitionActor.human.rawValue && fields["cause"]?.stringValue != editedOutsideCause {
                    return nil
                }
                switch to {
                case .reviewing: return (reviewing, index)
                case .stuck: return (stuck, index)
                case .failed: return (failed, index)
                case .done where from == .delegated: return (parentDone, index)
                // Done or cancelled by orange after a pull request's fate: the PR line is earlier.
                case .done, .cancelled: continue
                default: return nil
                }
            default:
                continue
            }
        }
        return nil
    }

    /// Statuses in which a task may have something due: the rest are never looked at.
    public static func mayNeedAPerson(_ status: TaskStatus) -> Bool {
        [.reviewing, .stuck, .failed, .done, .cancelled].contains(status)
    }
}

/// The notification hook of `config.json`: `"notify": {"command": [argv…], "timeout_seconds": n,
/// "events": [names…]}`, or `"notify": [argv…]`, or `"notify": "notify-send"` for the desktop's
/// notifications. The argv's `{placeholders}` are filled per event; it is never a shell string.
public struct NotifyHook: Hashable, Sendable {
    public var command: [String]
    public var timeoutSeconds: Double
    /// Only these events (nil: every one).
    public var events: Set<String>?

    public static let defaultTimeoutSeconds = 10.0
    public static let notifySend = ["notify-send", "--app-name=orange", "orange: {event} {project}/{id}", "{description}"]
    public static let placeholders = ["id", "project", "branch", "status", "event", "description", "pr_url", "message", "time"]

    public init(command: [String], timeoutSeconds: Double = NotifyHook.defaultTimeoutSeconds, events: Set<String>? = nil) {
        self.command = command
        self.timeoutSeconds = timeoutSeconds
        self.events = events
    }

    /// The hook of a parsed `config.json`; nil when it has none.
    public static func parse(_ config: JSONValue, file: String) throws(HarnessConfigError) -> NotifyHook? {
        guard let entry = config["notify"], entry != .null else { return nil }
        if entry.stringValue == "notify-send" { return NotifyHook(command: notifySend) }
        let commandValue = entry.arrayValue != nil ? entry : entry["command"]
        guard let items = commandValue?.arrayValue, !items.isEmpty, items.allSatisfy({ $0.stringValue != nil }) else {
            throw HarnessConfigError(
                "\(file): \"notify\" must be \"notify-send\", a list of strings, or {\"command\": [strings…], \"timeout_seconds\": n}")
        }
        var hook = NotifyHook(command: items.compactMap(\.stringValue))
        if let timeout = entry["timeout_seconds"] {
            guard let seconds = timeout.intValue, (1...3_600).contains(seconds) else {
                throw HarnessConfigError("\(file): \"notify\" timeout_seconds must be a whole number from 1 to 3600")
            }
            hook.timeoutSeconds = Double(seconds)
        }
        if let events = entry["events"] {
            guard let names = events.arrayValue?.compactMap(\.stringValue), names.count == events.arrayValue?.count else {
                throw HarnessConfigError("\(file): \"notify\" events must be a list of event names")
            }
            hook.events = Set(names)
        }
        return hook
    }

    public func wants(_ event: String) -> Bool { events?.contains(event) ?? true }

    /// The argv with every `{name}` of `values` replaced, in one pass: a value that holds
    /// `{id}` stays as it is. Unknown `{…}` are kept.
    public func argv(_ values: [String: String]) -> [String] {
        command.map { word in
            var result = ""
            var rest = word[...]
            while let open = rest.firstIndex(of: "{") {
                result += rest[..<open]
                let after = rest[rest.index(after: open)...]
                if let close = after.firstIndex(of: "}"), let value = values[String(after[..<close])] {
                    result += value
                    rest = after[after.index(after: close)...]
                } else {
                    result += "{"
                    rest = after
                }
            }
            return result + rest
        }
    }
}
