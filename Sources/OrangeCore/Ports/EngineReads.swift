/// Reads answered by the engine running for this `ORANGE_HOME` instead of by reading every
/// TASK.md (docs/watcher.md, "Answers from the running engine").
public protocol EngineReads: Sendable {
    /// The engine's answer to `kind`, reflecting every write made before this call; nil when no
    /// engine answered (none runs, another protocol version, no answer in time, or it declined):
    /// the caller then reads the tree itself, with the same result.
    func ask(_ kind: EngineReadKind, _ arguments: JSONValue) -> JSONValue?
}

/// What a command can ask the engine.
public enum EngineReadKind: String, Sendable, CaseIterable {
    case list, show, why, graph
    /// The checks of `task create` that read the graph: branch in use, blockers and parent, cycles.
    case checkCreate = "check-create"
    /// The checks of `task update` that read the graph: transition, new edges, branch in use.
    case checkUpdate = "check-update"
    /// A command's own reconcile after its writes, decided on the engine's graph.
    case reconcile
}

/// No engine: every read is made from disk.
public struct NoEngineReads: EngineReads {
    public init() {}
    public func ask(_ kind: EngineReadKind, _ arguments: JSONValue) -> JSONValue? { nil }
}

/// The wire format: one JSON object per line, one request and one answer per connection.
///
/// Request: `{"v":1,"token":"<cookie token>","kind":"list","arguments":{…}}`.
/// Answer: `{"v":1,"answer":{…}}`, or `{"v":1,"declined":"<why>"}` when the engine cannot
/// answer as the scan would (the caller then scans). A different `v` on either side is a
/// decline too, so an engine and a command of different versions never misread each other.
public enum EngineReadProtocol {
    public static let version: Int64 = 1
    /// The socket's name in the data folder.
    public static let socketName = "engine.sock"
    /// The prefix of the freshness cookies' tokens (`tasks/.orange-cookie-read-<pid>-<n>`).
    public static let cookieTokenPrefix = "read-"

    public struct Request: Sendable, Equatable {
        public var token: String
        public var kind: EngineReadKind
        public var arguments: JSONValue

        public init(token: String, kind: EngineReadKind, arguments: JSONValue) {
            self.token = token
            self.kind = kind
            self.arguments = arguments
        }
    }

    public static func encode(_ request: Request) -> String {
        JSONValue.object([
            ("v", .int(version)), ("token", .string(request.token)), ("kind", .string(request.kind.rawValue)),
            ("arguments", request.arguments),
        ]).rendered()
    }

    /// The request, or why it cannot be answered (to send back as the decline).
    public static func decodeRequest(_ line: String) -> Result<Request, DeclineReason> {
        guard let value = try? JSONValue.parse(line) else { return .failure(DeclineReason("not JSON")) }
        guard value["v"]?.intValue == version else { return .failure(DeclineReason("protocol version \(version) only")) }
        guard let token = value["token"]?.stringValue, let kind = value["kind"]?.stringValue.flatMap(EngineReadKind.init) else {
            return .failure(DeclineReason("no token or unknown kind"))
        }
        return .success(Request(token: token, kind: kind, arguments: value["arguments"] ?? .null))
    }

    public static func encodeAnswer(_ answer: JSONValue) -> String {
        JSONValue.object([("v", .int(version)), ("answer", answer)]).rendered()
    }

    public static func encodeDecline(_ reason: DeclineReason) -> String {
        JSONValue.object([("v", .int(version)), ("declined", .string(reason.text))]).rendered()
    }

    /// The answer; nil for a decline, another version or anything unreadable.
    public static func decodeAnswer(_ line: String) -> JSONValue? {
        guard let value = try? JSONValue.parse(line), value["v"]?.intValue == version else { return nil }
        return value["answer"]
    }

    public struct DeclineReason: Error, Sendable, Equatable {
        public var text: String
        public init(_ text: String) { self.text = text }
    }
}
