/// Names of the short-lived files orange creates next to the ones it manages. They are built and
/// parsed here, in one place, so the writers and `orange doctor` (which finds the ones a dead
/// process left behind) always agree on them. Each name carries the creator's process id.
public enum TransientFileNames {
    /// What a transient name is, and which process made it.
    public struct Parsed: Hashable, Sendable {
        public enum Kind: Hashable, Sendable {
            /// `.<target>.orange-tmp-<pid>-<n>`: an atomic write of `<target>` in progress or interrupted.
            case temporary(target: String)
            /// `.orange-deleted-<id>-<pid>-<n>`: a task folder renamed aside to be removed.
            case deletedTaskFolder
            /// `.orange-new-<id>-<pid>-<n>`: a new task's folder, filled before it is renamed into place.
            case newTaskFolder
            /// `.orange-cookie-<pid>-<n>`, `.orange-cookie-sync-<pid>-<n>` or `.orange-cookie-read-<pid>-<n>`:
            /// a watcher, `watch sync` or engine-read cookie.
            case cookie
            /// `.sync-<pid>-<n>.done`: the engine's answer to `watch sync`.
            case syncAnswer
        }

        public var kind: Kind
        public var pid: Int32

        public init(kind: Kind, pid: Int32) {
            self.kind = kind
            self.pid = pid
        }
    }

    static let temporaryMarker = ".orange-tmp-"
    public static let deletedTaskPrefix = ".orange-deleted-"
    public static let newTaskPrefix = ".orange-new-"
    static let syncAnswerPrefix = ".sync-"
    static let syncAnswerSuffix = ".done"

    /// The temporary name an atomic write of `name` uses; hidden, so watchers and scans skip it.
    public static func temporary(for name: String, pid: Int32, counter: Int) -> String {
        ".\(name)\(temporaryMarker)\(pid)-\(counter)"
    }

    /// The name a task folder is renamed to before it is removed.
    public static func deletedTaskFolder(_ id: TaskID, pid: Int32, counter: Int) -> String {
        "\(deletedTaskPrefix)\(id)-\(pid)-\(counter)"
    }

    /// The name a new task's folder has until it holds its TASK.md.
    public static func newTaskFolder(_ id: TaskID, pid: Int32, counter: Int) -> String {
        "\(newTaskPrefix)\(id)-\(pid)-\(counter)"
    }

    /// The file the engine writes in `$ORANGE_HOME` to answer the `watch sync` with this token.
    public static func syncAnswer(token: String) -> String {
        "\(syncAnswerPrefix)\(token)\(syncAnswerSuffix)"
    }

    /// The `watch sync` token of the process `pid`.
    public static func syncToken(pid: Int32, counter: UInt64) -> String { "\(pid)-\(counter)" }

    /// Recognises a transient name; nil for every other name.
    public static func parse(_ name: String) -> Parsed? {
        guard name.hasPrefix(".") else { return nil }
        for (prefix, kind) in [(deletedTaskPrefix, Parsed.Kind.deletedTaskFolder), (newTaskPrefix, .newTaskFolder)]
        where name.hasPrefix(prefix) {
            // <id>-<pid>-<n>; ids have no '-'.
            let parts = name.dropFirst(prefix.count).split(separator: "-", omittingEmptySubsequences: false)
            guard parts.count == 3, TaskID(validating: String(parts[0])) != nil, let pid = processID(parts[1]), isNumber(parts[2]) else {
                return nil
            }
            return Parsed(kind: kind, pid: pid)
        }
        if let token = TaskTreeNames.cookieToken(name) {
            // `sync-` (watch sync) and `read-` (a command asking the engine) carry the same `<pid>-<n>`.
            let readPrefix = EngineReadProtocol.cookieTokenPrefix
            let rest =
                TaskTreeNames.syncToken(fromCookie: token)
                ?? (token.hasPrefix(readPrefix) ? String(token.dropFirst(readPrefix.count)) : token)
            guard let pid = pidAndCounter(Substring(rest)) else { return nil }
            return Parsed(kind: .cookie, pid: pid)
        }
        if name.hasPrefix(syncAnswerPrefix) && name.hasSuffix(syncAnswerSuffix)
            && name.count > syncAnswerPrefix.count + syncAnswerSuffix.count
        {
            guard let pid = pidAndCounter(name.dropFirst(syncAnswerPrefix.count).dropLast(syncAnswerSuffix.count)) else { return nil }
            return Parsed(kind: .syncAnswer, pid: pid)
        }
        // The marker must come after the leading dot and a target name (`.orange-tmp-1-2` is not one).
        if let marker = name.ranges(of: temporaryMarker).last, marker.lowerBound > name.startIndex {
            let target = name[name.index(after: name.startIndex)..<marker.lowerBound]
            guard !target.isEmpty, let pid = pidAndCounter(name[marker.upperBound...]) else { return nil }
            return Parsed(kind: .temporary(target: String(target)), pid: pid)
        }
        return nil
    }

    /// `<pid>-<n>`, both decimal.
    private static func pidAndCounter(_ text: Substring) -> Int32? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, let pid = processID(parts[0]), isNumber(parts[1]) else { return nil }
        return pid
    }

    private static func processID(_ text: Substring) -> Int32? {
        guard isNumber(text), let pid = Int32(text), pid > 0 else { return nil }
        return pid
    }

    private static func isNumber(_ text: Substring) -> Bool {
        !text.isEmpty && text.utf8.count <= 20 && text.utf8.allSatisfy { $0 >= 48 && $0 <= 57 }
    }
}
