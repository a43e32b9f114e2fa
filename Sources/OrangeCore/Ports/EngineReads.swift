/// Reads answered by the engine running for this `ORANGE_HOME` instead of by reading every
/// TASK.md (docs/watcher.md, "Answers from the running engine").
public protocol EngineReads: Sendable {
    /// The engine's answer to `kind`, reflecting every write made before this call; nil when no
    /// engine answered (none runs, another protocol version, no answer in time, or it declined):
    /// the caller then reads the tree itself, with the same result.
    func ask(_ kind: EngineReadKind, _ arguments: JSONValue) -> JSONValue?

    /// `ask`, for a command that prints the answer's long text as it is: that text may come as
    /// an output held outside this process (the engine's `--json` list), never made a string.
    func askForOutput(_ kind: EngineReadKind, _ arguments: JSONValue, outputKey: String) -> EngineOutputAnswer?
}

extension EngineReads {
    public func askForOutput(_ kind: EngineReadKind, _ arguments: JSONValue, outputKey: String) -> EngineOutputAnswer? {
        ask(kind, arguments).map { EngineOutputAnswer(answer: $0, output: nil) }
    }
}

/// An engine's answer whose member `outputKey` (asked for) may be `output` instead of a string.
public struct EngineOutputAnswer: Sendable {
    public var answer: JSONValue
    public var output: (any PreparedOutput)?

    public init(answer: JSONValue, output: (any PreparedOutput)?) {
        self.answer = answer
        self.output = output
    }
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
    /// The dashboard's rows (`dashboard --json`), or the first screen's of a dashboard following the engine.
    case dashboard
}

/// No engine: every read is made from disk.
public struct NoEngineReads: EngineReads {
    public init() {}
    public func ask(_ kind: EngineReadKind, _ arguments: JSONValue) -> JSONValue? { nil }
}

/// The wire format: one JSON object per line, one request and one answer per connection.
///
/// Request: `{"v":1,"token":"<cookie token>","kind":"list","arguments":{…}}`.
/// Answer: `{"v":1,"answer":{…}}` (long strings attached raw after the line, see
/// `encodeAnswer`), or `{"v":1,"declined":"<why>"}` when the engine cannot
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
        /// The asker takes an answer's long text as a descriptor passed with the header
        /// (`attached_descriptor`). Older engines ignore the member and attach the text.
        public var takesDescriptor: Bool
        /// The asker also takes the text in parts, several descriptors and bytes in order
        /// (`attached_parts`). Older engines ignore the member and pass one descriptor.
        public var takesDescriptors: Bool

        public init(
            token: String, kind: EngineReadKind, arguments: JSONValue, takesDescriptor: Bool = false, takesDescriptors: Bool = false
        ) {
            self.token = token
            self.kind = kind
            self.arguments = arguments
            self.takesDescriptor = takesDescriptor || takesDescriptors
            self.takesDescriptors = takesDescriptors
        }
    }

    public static func encode(_ request: Request) -> String {
        var members: [(String, JSONValue)] = [
            ("v", .int(version)), ("token", .string(request.token)), ("kind", .string(request.kind.rawValue)),
            ("arguments", request.arguments),
        ]
        if request.takesDescriptor { members.append(("descriptor", .bool(true))) }
        if request.takesDescriptors { members.append(("descriptors", .bool(true))) }
        return JSONValue.object(members).rendered()
    }

    /// The request, or why it cannot be answered (to send back as the decline).
    public static func decodeRequest(_ line: String) -> Result<Request, DeclineReason> {
        guard let value = try? JSONValue.parse(line) else { return .failure(DeclineReason("not JSON")) }
        guard value["v"]?.intValue == version else { return .failure(DeclineReason("protocol version \(version) only")) }
        guard let token = value["token"]?.stringValue, let kind = value["kind"]?.stringValue.flatMap(EngineReadKind.init) else {
            return .failure(DeclineReason("no token or unknown kind"))
        }
        return .success(
            Request(
                token: token, kind: kind, arguments: value["arguments"] ?? .null, takesDescriptor: value["descriptor"]?.boolValue ?? false,
                takesDescriptors: value["descriptors"]?.boolValue ?? false))
    }

    /// The answer: its header line, then the long strings of the answer object as raw bytes
    /// (named with their byte counts in `attached`), up to the end of the connection. A list of
    /// thousands of tasks is a few MB of JSON text: sent raw, it is not escaped and parsed again.
    public static func encodeAnswer(_ answer: JSONValue) -> String {
        var kept: [(String, JSONValue)] = []
        var attached: [JSONValue] = []
        var payload = ""
        for (key, value) in answer.objectValue ?? [] {
            if case .string(let text) = value, text.utf8.count > 1024 {
                attached.append(.array([.string(key), .int(Int64(text.utf8.count))]))
                payload += text
            } else {
                kept.append((key, value))
            }
        }
        var header: [(String, JSONValue)] = [("v", .int(version)), ("answer", answer.objectValue == nil ? answer : .object(kept))]
        if !attached.isEmpty { header.append(("attached", .array(attached))) }
        return JSONValue.object(header).rendered() + "\n" + payload
    }

    /// `encodeAnswer` of `answer` with `raw` attached under `key`, already as bytes (the
    /// engine's list is written as bytes and never made a string).
    public static func encodeAnswer(_ answer: [(String, JSONValue)], attaching key: String, raw: [UInt8]) -> [UInt8] {
        let header = JSONValue.object([
            ("v", .int(version)), ("answer", .object(answer)), ("attached", .array([.array([.string(key), .int(Int64(raw.count))])])),
        ])
        var bytes = Array(header.rendered().utf8)
        bytes.reserveCapacity(bytes.count + 1 + raw.count + 1)
        bytes.append(10)
        bytes.append(contentsOf: raw)
        return bytes
    }

    /// The header of an answer whose `key` text, `count` bytes, is in the descriptor passed with
    /// the header (`SCM_RIGHTS`) instead of after it; a newline follows, and nothing else.
    public static func encodeAnswer(_ answer: [(String, JSONValue)], passing key: String, count: Int) -> [UInt8] {
        let header = JSONValue.object([
            ("v", .int(version)), ("answer", .object(answer)),
            ("attached_descriptor", .array([.string(key), .int(Int64(count))])),
        ])
        var bytes = Array(header.rendered().utf8)
        bytes.append(10)
        return bytes
    }

    /// One part of a text passed in parts: bytes written in the header, or `count` bytes from
    /// `offset` of the next descriptor passed with it.
    public enum PassedPart: Equatable, Sendable {
        case bytes([UInt8])
        case descriptor(offset: Int, count: Int)
    }

    /// The header of an answer whose `key` text is `parts` in order, the descriptors' parts in
    /// the descriptors passed with the header; a newline follows, and nothing else.
    public static func encodeAnswer(_ answer: [(String, JSONValue)], passing key: String, parts: [PassedPart]) -> [UInt8] {
        let described: [JSONValue] = parts.map { part in
            switch part {
            case .bytes(let bytes): return .string(String(decoding: bytes, as: UTF8.self))
            case .descriptor(let offset, let count): return .array([.int(Int64(offset)), .int(Int64(count))])
            }
        }
        let header = JSONValue.object([
            ("v", .int(version)), ("answer", .object(answer)), ("attached_parts", .array([.string(key), .array(described)])),
        ])
        var bytes = Array(header.rendered().utf8)
        bytes.append(10)
        return bytes
    }

    /// An answer whose text `key` came in parts: the answer without it, and the parts. Nil when
    /// the answer is not one of those.
    public static func decodePartsAnswer(_ bytes: [UInt8], key: String) -> (answer: JSONValue, parts: [PassedPart])? {
        let newline = bytes.firstIndex(of: 10) ?? bytes.count
        guard let header = String(validating: bytes[..<newline], as: UTF8.self), let value = try? JSONValue.parse(header),
            value["v"]?.intValue == version, let answer = value["answer"], answer.objectValue != nil,
            let passed = value["attached_parts"]?.arrayValue, passed.count == 2, passed[0].stringValue == key,
            let described = passed[1].arrayValue
        else { return nil }
        var parts: [PassedPart] = []
        for part in described {
            if let text = part.stringValue {
                parts.append(.bytes(Array(text.utf8)))
            } else if let pair = part.arrayValue, pair.count == 2, let offset = pair[0].intValue, let count = pair[1].intValue,
                offset >= 0, count >= 0
            {
                parts.append(.descriptor(offset: Int(offset), count: Int(count)))
            } else {
                return nil
            }
        }
        return (answer, parts)
    }

    /// An answer whose text `key` came in a descriptor: the answer without it, and the text's
    /// length. Nil when the answer is not one of those (then `decodeAnswer` reads it).
    public static func decodePassedAnswer(_ bytes: [UInt8], key: String) -> (answer: JSONValue, count: Int)? {
        let newline = bytes.firstIndex(of: 10) ?? bytes.count
        guard let header = String(validating: bytes[..<newline], as: UTF8.self), let value = try? JSONValue.parse(header),
            value["v"]?.intValue == version, let answer = value["answer"], answer.objectValue != nil,
            let passed = value["attached_descriptor"]?.arrayValue, passed.count == 2, passed[0].stringValue == key,
            let count = passed[1].intValue, count >= 0
        else { return nil }
        return (answer, Int(count))
    }

    /// The length of a whole answer from its header line (the line, its newline, the attached
    /// strings and the final newline); nil when the header is not an answer's.
    public static func answerSize(header: [UInt8]) -> Int? {
        guard let text = String(validating: header, as: UTF8.self), let value = try? JSONValue.parse(text) else { return nil }
        let attached = (value["attached"]?.arrayValue ?? []).compactMap { $0.arrayValue?.last?.intValue }
        return header.count + 1 + attached.reduce(0) { $0 + Int(max(0, $1)) } + 1
    }

    public static func encodeDecline(_ reason: DeclineReason) -> String {
        JSONValue.object([("v", .int(version)), ("declined", .string(reason.text))]).rendered()
    }

    /// The answer from everything the engine sent; nil for a decline, another version or
    /// anything unreadable.
    public static func decodeAnswer(_ bytes: [UInt8]) -> JSONValue? {
        let newline = bytes.firstIndex(of: 10) ?? bytes.count
        guard let header = String(validating: bytes[..<newline], as: UTF8.self), let value = try? JSONValue.parse(header),
            value["v"]?.intValue == version, let answer = value["answer"]
        else { return nil }
        guard let attached = value["attached"]?.arrayValue, var pairs = answer.objectValue else { return answer }
        var offset = newline + 1
        for item in attached {
            guard let key = item.arrayValue?.first?.stringValue, let count = item.arrayValue?.last?.intValue.map(Int.init),
                count >= 0, offset + count <= bytes.count, let text = String(validating: bytes[offset..<offset + count], as: UTF8.self)
            else { return nil }
            pairs.append((key, .string(text)))
            offset += count
        }
        return .object(pairs)
    }

    public struct DeclineReason: Error, Sendable, Equatable {
        public var text: String
        public init(_ text: String) { self.text = text }
    }
}
