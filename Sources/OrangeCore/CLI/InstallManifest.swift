/// What `orange install` wrote, so `orange uninstall` removes exactly that and nothing else.
///
/// Each entry records what the path held when it was written: a link's target, or a file's
/// FNV-1a hash. Uninstall removes an entry only while it still holds that, so a file the user
/// replaced or edited since is left alone.
public struct InstallManifest: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        /// `binary`, `skill`, `completion` or `man`.
        public var kind: String
        public var path: String
        /// For a symbolic link: where it points.
        public var linkTarget: String?
        /// For a file: the FNV-1a hash of its bytes, as hex.
        public var contentHash: String?

        public init(kind: String, path: String, linkTarget: String? = nil, contentHash: String? = nil) {
            self.kind = kind
            self.path = path
            self.linkTarget = linkTarget
            self.contentHash = contentHash
        }
    }

    public static let formatVersion: Int64 = 1
    public var entries: [Entry]

    public init(entries: [Entry] = []) {
        self.entries = entries
    }

    /// Adds or replaces the entry for `entry.path` (installing twice records each path once).
    public mutating func record(_ entry: Entry) {
        entries.removeAll { $0.path == entry.path }
        entries.append(entry)
    }

    public var json: JSONValue {
        .object([
            ("version", .int(Self.formatVersion)),
            (
                "entries",
                .array(
                    entries.map { entry in
                        .object([
                            ("kind", .string(entry.kind)), ("path", .string(entry.path)),
                            ("link_target", .optional(entry.linkTarget)), ("content_hash", .optional(entry.contentHash)),
                        ])
                    })
            ),
        ])
    }

    /// Reads a manifest; nil when it is not one this version understands.
    public init?(json: JSONValue) {
        guard json["version"]?.intValue == Self.formatVersion, let items = json["entries"]?.arrayValue else { return nil }
        var entries: [Entry] = []
        for item in items {
            guard let kind = item["kind"]?.stringValue, let path = item["path"]?.stringValue, path.hasPrefix("/") else { return nil }
            entries.append(
                Entry(kind: kind, path: path, linkTarget: item["link_target"]?.stringValue, contentHash: item["content_hash"]?.stringValue))
        }
        self.entries = entries
    }
}
