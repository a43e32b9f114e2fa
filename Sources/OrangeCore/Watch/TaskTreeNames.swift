/// Which names in the task tree the watcher pays attention to.
///
/// Only `TASK.md` and folders matter. Editors and tools leave many other names behind
/// (`.TASK.md.orange-tmp-*`, sed's `sedXXXXXX`, vim's `4913` probe, `.swp`, `~` backups); all of
/// them are ignored, but a rename *onto* TASK.md counts whatever its source name was (F15).
public enum TaskTreeNames {
    /// The one file per task folder that the watcher reports.
    public static let taskFile = "TASK.md"
    /// The folder under `$ORANGE_HOME` that holds the projects.
    public static let tasksFolder = "tasks"
    /// Prefix of the sync cookie files written into `tasks/`.
    public static let cookiePrefix = ".orange-cookie-"

    /// True for a name that can be a project or task folder: not hidden, not a backup or swap name.
    public static func isCandidateDirectory(_ name: String) -> Bool {
        isCandidateDirectory(utf8: name.utf8)
    }

    /// The same on a name's bytes, as the file system has them (a listing's C name is looked at
    /// without making a string of it).
    public static func isCandidateDirectory(utf8 name: some BidirectionalCollection<UInt8>) -> Bool {
        guard let first = name.first, first != UInt8(ascii: "."), name.last != UInt8(ascii: "~") else { return false }
        return !name.suffix(4).elementsEqual(".swp".utf8)
    }

    /// The token of a cookie file name, or nil if the name is not a cookie.
    public static func cookieToken(_ name: String) -> String? {
        guard name.hasPrefix(cookiePrefix) else { return nil }
        let token = String(name.dropFirst(cookiePrefix.count))
        return token.isEmpty ? nil : token
    }

    /// The cookie file name for a token.
    public static func cookieFileName(token: String) -> String { cookiePrefix + token }

    /// What sets `orange watch sync`'s cookies apart from the watcher's own: their token starts with it.
    static let syncCookieMarker = "sync-"

    /// The cookie file `orange watch sync` drops into `tasks/` for its `token`; the engine answers
    /// it once everything written before it has been applied.
    public static func syncCookieFileName(token: String) -> String { cookieFileName(token: syncCookieMarker + token) }

    /// The `watch sync` token a cookie token carries, or nil for a watcher's own cookie.
    public static func syncToken(fromCookie cookieToken: String) -> String? {
        guard cookieToken.hasPrefix(syncCookieMarker) else { return nil }
        return String(cookieToken.dropFirst(syncCookieMarker.count))
    }
}
