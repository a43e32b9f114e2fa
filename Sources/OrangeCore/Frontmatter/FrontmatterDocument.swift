/// A value in TASK.md front matter. orange reads a small, safe subset of YAML: scalars and
/// flat lists of scalars. Anything else (nested maps, anchors, tags) is rejected with a line number.
public enum YAMLValue: Hashable, Sendable {
    /// `null`, `~`, `Null`, `NULL`, or nothing after the colon.
    case null
    /// A quoted or block scalar: certainly a string.
    case string(String)
    /// An unquoted scalar, kept as typed. Other YAML readers may take it as a number or a
    /// boolean (`5`, `yes`), so it is written back unquoted to keep that meaning.
    case plain(String)
    /// A flow (`[a, b]`) or block (`- a`) list; items are `.null`, `.string` or `.plain`.
    case list([YAMLValue])

    /// The text of a scalar, whether quoted or not; nil for null and lists.
    public var text: String? {
        switch self {
        case .string(let s), .plain(let s): return s
        case .null, .list: return nil
        }
    }

    /// Equality of meaning for orange's purposes: a plain and a quoted scalar with the same text
    /// are the same string.
    public func sameText(as other: YAMLValue) -> Bool {
        switch (self, other) {
        case (.null, .null): return true
        case (.list(let a), .list(let b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.sameText(as: $1) }
        default:
            guard let a = text, let b = other.text else { return false }
            return a == b
        }
    }
}

/// One `key: value` line (or block) of front matter, with the 1-based line it started on.
public struct FrontmatterEntry: Hashable, Sendable {
    public var key: String
    public var value: YAMLValue
    /// 1-based line number in the file it was read from; 0 for entries built in memory.
    public var line: Int

    public init(key: String, value: YAMLValue, line: Int = 0) {
        self.key = key
        self.value = value
        self.line = line
    }

    // The line is where an entry was read from, not part of its content: two entries with the
    // same key and value are equal wherever they came from.
    public static func == (a: FrontmatterEntry, b: FrontmatterEntry) -> Bool {
        a.key == b.key && a.value == b.value
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(key)
        hasher.combine(value)
    }
}

/// A TASK.md split into its front matter entries (in file order) and its Markdown body.
///
/// The body is everything after the closing `---` line, byte for byte.
public struct FrontmatterDocument: Hashable, Sendable {
    public var entries: [FrontmatterEntry]
    public var body: String

    public init(entries: [FrontmatterEntry], body: String) {
        self.entries = entries
        self.body = body
    }

    public func entry(_ key: String) -> FrontmatterEntry? {
        entries.first { $0.key == key }
    }
}

/// Why a TASK.md could not be read: the 1-based line and a reason a person can act on.
public struct FrontmatterError: Error, Hashable, Sendable, CustomStringConvertible {
    public var line: Int
    public var reason: String

    public init(line: Int, reason: String) {
        self.line = line
        self.reason = reason
    }

    public var description: String { "line \(line): \(reason)" }
}
