/// A JSON value with ordered object keys, so `--json` output and history lines are stable and
/// follow the order orange chose (front matter order for tasks).
public enum JSONValue: Hashable, Sendable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([(String, JSONValue)])

    public static func == (a: JSONValue, b: JSONValue) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case (.bool(let x), .bool(let y)): return x == y
        case (.int(let x), .int(let y)): return x == y
        case (.double(let x), .double(let y)): return x == y
        case (.string(let x), .string(let y)): return x == y
        case (.array(let x), .array(let y)): return x == y
        case (.object(let x), .object(let y)):
            return x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: return false
        }
    }

    public func hash(into hasher: inout Hasher) {
        switch self {
        case .null: hasher.combine(0)
        case .bool(let v): hasher.combine(v)
        case .int(let v): hasher.combine(v)
        case .double(let v): hasher.combine(v)
        case .string(let v): hasher.combine(v)
        case .array(let v): hasher.combine(v)
        case .object(let v): for (k, x) in v { hasher.combine(k); hasher.combine(x) }
        }
    }

    /// Looks up a key of an object (the first one, if repeated).
    public subscript(key: String) -> JSONValue? {
        guard case .object(let pairs) = self else { return nil }
        return pairs.first { $0.0 == key }?.1
    }

    public var stringValue: String? { if case .string(let s) = self { return s } else { return nil } }
    public var intValue: Int64? {
        switch self {
        case .int(let v): return v
        case .double(let v) where v == v.rounded() && abs(v) < 9e15: return Int64(v)
        default: return nil
        }
    }
    public var boolValue: Bool? { if case .bool(let b) = self { return b } else { return nil } }
    public var arrayValue: [JSONValue]? { if case .array(let a) = self { return a } else { return nil } }
    public var objectValue: [(String, JSONValue)]? { if case .object(let o) = self { return o } else { return nil } }

    /// Compact single-line JSON (one history line, one `--json` event).
    public func rendered() -> String {
        var writer = JSONByteWriter(indent: nil)
        writer.write(self)
        return writer.string
    }

    /// Indented JSON for files people read (projects.json, `--json` output).
    public func prettyRendered() -> String {
        var writer = JSONByteWriter(indent: "  ", capacity: 4096)
        writer.write(self)
        return writer.string
    }

    /// Escaped rather than raw: quotes and backslashes, controls (C1 too) and direction
    /// overrides, which must never reach a terminal from `--json` output, and U+2028/9, which
    /// break JavaScript readers.
    static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        scalar == "\"" || scalar == "\\" || TerminalSafe.isUnsafe(scalar) || scalar.value == 0x2028 || scalar.value == 0x2029
    }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral, ExpressibleByNilLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int64) { self = .int(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(nilLiteral: ()) { self = .null }
}

extension JSONValue {
    /// A string, or null when absent.
    public static func optional(_ s: String?) -> JSONValue { s.map { .string($0) } ?? .null }
}
