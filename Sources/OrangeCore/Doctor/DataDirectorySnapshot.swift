/// Everything `orange doctor` looks at, read once from `$ORANGE_HOME` by the file-system walker
/// (OrangeSystem) and judged by `DataDirectoryCheck` without another syscall, so every check is a
/// unit test over a value.
public struct DataDirectorySnapshot: Sendable {
    /// `$ORANGE_HOME`; every path in findings starts with it.
    public var home: String
    /// When the snapshot was taken (leftovers are judged by age as well as by their creator).
    public var nowMilliseconds: Int64
    /// The entries of `home`. The walker descends into `tasks` (projects, task folders and their
    /// entries) and lists `workspaces`; other folders are not descended (`children == nil`).
    public var entries: [SnapshotEntry]
    /// Contents of the files the checks parse, by path: every regular TASK.md, and
    /// `projects.json`, `workspaces/.pool.json` and `config.json` when they exist.
    public var files: [String: SnapshotFile]
    /// Process ids named by transient file names that were alive when the snapshot was taken.
    public var alivePIDs: Set<Int32>
    /// `.spawn.lock` paths some process held (a spawn in progress).
    public var heldLocks: Set<String>
    /// Registered project repositories that exist as folders.
    public var existingDirectories: Set<String>
    /// The `TASK.md` at the top of each workspace folder that has one, by workspace name, as
    /// `lstat` saw it (a link normally; a plain file is a save that replaced the link).
    public var workspaceTaskFiles: [String: SnapshotEntry] = [:]
    /// This machine's id when tasks are shared (`orange sync`): another machine's task names a
    /// workspace of that machine's pool, which this pool does not bind. Nil without sync.
    public var machine: String?

    public init(
        home: String, nowMilliseconds: Int64, entries: [SnapshotEntry], files: [String: SnapshotFile] = [:],
        alivePIDs: Set<Int32> = [], heldLocks: Set<String> = [], existingDirectories: Set<String> = [],
        workspaceTaskFiles: [String: SnapshotEntry] = [:]
    ) {
        self.workspaceTaskFiles = workspaceTaskFiles
        self.home = home
        self.nowMilliseconds = nowMilliseconds
        self.entries = entries
        self.files = files
        self.alivePIDs = alivePIDs
        self.heldLocks = heldLocks
        self.existingDirectories = existingDirectories
    }

    /// The entry at `components` below `home` (`["tasks", "coffee"]`), if it was seen.
    public func entry(_ components: [String]) -> SnapshotEntry? {
        var current = entries
        var found: SnapshotEntry?
        for name in components {
            guard let next = current.first(where: { $0.name == name }) else { return nil }
            found = next
            current = next.children ?? []
        }
        return found
    }
}

/// One name in a folder, as `lstat` saw it (a symlink is described, never followed).
public struct SnapshotEntry: Hashable, Sendable {
    public enum Kind: Hashable, Sendable {
        /// A folder; `children` is nil when the walker did not descend into it.
        case directory(children: [SnapshotEntry]?)
        case file
        /// A symbolic link, with where it points and whether that exists.
        case symlink(target: String, targetExists: Bool)
        /// A FIFO, socket or device.
        case other
        /// The entry could not be examined or listed.
        case unreadable(reason: String)
    }

    public var name: String
    public var kind: Kind
    /// Last modification (of the entry itself), milliseconds since the epoch.
    public var modifiedMilliseconds: Int64

    public init(_ name: String, _ kind: Kind, modifiedMilliseconds: Int64 = 0) {
        self.name = name
        self.kind = kind
        self.modifiedMilliseconds = modifiedMilliseconds
    }

    public static func directory(_ name: String, _ children: [SnapshotEntry]?, modifiedMilliseconds: Int64 = 0) -> SnapshotEntry {
        SnapshotEntry(name, .directory(children: children), modifiedMilliseconds: modifiedMilliseconds)
    }

    public static func file(_ name: String, modifiedMilliseconds: Int64 = 0) -> SnapshotEntry {
        SnapshotEntry(name, .file, modifiedMilliseconds: modifiedMilliseconds)
    }

    public var children: [SnapshotEntry]? {
        if case .directory(let children) = kind { return children }
        return nil
    }

    public var isDirectory: Bool {
        if case .directory = kind { return true }
        return false
    }

    public var isHidden: Bool { name.hasPrefix(".") && !name.hasPrefix("..") }
}

/// A file's contents as read, or why it could not be read.
public enum SnapshotFile: Hashable, Sendable {
    case bytes([UInt8])
    case unreadable(reason: String)
}
