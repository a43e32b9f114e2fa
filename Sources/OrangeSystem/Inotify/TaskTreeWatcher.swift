import Glibc
import OrangeCore
import Synchronization

/// Watches the orange data tree and turns inotify events into path-level `WatchHint`s.
///
/// Watched folders (directory watches only, never files, so rename-over saves are seen, F1):
/// `$ORANGE_HOME` itself (non-recursively, to see `tasks/` replaced, F17), `tasks/`, every
/// project folder and every task folder. A new folder is watched *before* it is scanned, and every
/// TASK.md the scan finds is reported, so a `mkdir` + write burst loses nothing (F4, F5).
///
/// Not `Sendable`: the watcher, its map and its inotify instance belong to the one thread that
/// runs the watch loop. Use `fileDescriptor` with `PollLoop`, then `readHints()`.
public final class TaskTreeWatcher {
    /// The mask for every watch: change events only (no OPEN/ACCESS/CLOSE_NOWRITE, so scans and
    /// reads raise nothing, F10), folders only, no symlink following, and no events from
    /// files that were unlinked while open.
    public static let watchMask: InotifyMask = [
        .create, .delete, .movedFrom, .movedTo, .modify, .closeWrite, .attrib, .deleteSelf, .moveSelf,
        .onlyDirectory, .dontFollow, .excludeUnlinked,
    ]

    /// `$ORANGE_HOME`, resolved with `realpath` once (a symlinked home would defeat DONT_FOLLOW).
    public let rootPath: String
    /// `<root>/tasks`.
    public var tasksPath: String { rootPath + "/" + TaskTreeNames.tasksFolder }

    let instance: InotifyInstance
    var tree = WatchedTree()
    /// True while the whole tree is bound into an empty map (start-up, root replaced): the task
    /// folders of each project are then added in parallel (`addNewTaskFolders`).
    private var bindingEmptyMap = false
    private let logger: (any Logger)?
    private var pendingCookies: Set<String> = []
    private static let cookieCounter = Atomic<Int>(0)

    /// How many `IN_Q_OVERFLOW` events were seen (each one means a full resync).
    public private(set) var overflowCount = 0
    /// How many events named a watch descriptor the watcher did not know (each one: a rescan).
    public private(set) var unknownWatchCount = 0
    /// The last ENOSPC/EMFILE error met while adding a watch, for the degraded-mode message.
    public private(set) var lastLimitError: InotifyError?

    /// The one project folder watched (`orange watch --project`); nil: every project.
    public let onlyProject: String?

    /// Opens an inotify instance for the tree at `root`. Nothing is watched until `start()`.
    /// With `project`, only `tasks/<project>` and its task folders are watched and reported (the
    /// root and `tasks/` are still watched, for cookies and to see the project folder appear).
    /// `readBufferSize` is the inotify read buffer (see `InotifyInstance`).
    public init(
        root: String, logger: (any Logger)? = nil, project: String? = nil,
        readBufferSize: Int = InotifyInstance.defaultBufferSize
    ) throws(InotifyError) {
        guard let resolved = realpath(root, nil) else { throw .noSuchPath(root) }
        rootPath = String(cString: resolved)
        free(resolved)
        instance = try InotifyInstance(bufferSize: readBufferSize)
        self.logger = logger
        onlyProject = project
    }

    /// The descriptor to wait on (readable when events are queued).
    public var fileDescriptor: Int32 { instance.fileDescriptor }

    /// Watches the tree top-down, scanning each folder after its watch exists (F22), and returns
    /// an `.appeared` hint for every project, task folder and TASK.md found.
    public func start() throws(InotifyError) -> [WatchHint] {
        var hints: [WatchHint] = []
        try bindRoot(&hints)
        return hints
    }

    /// Reads every queued event without blocking (at most `maxReads` buffers) and returns the
    /// hints they mean.
    public func readHints(maxReads: Int = 256) throws(InotifyError) -> [WatchHint] {
        process(try instance.readAvailable(maxReads: maxReads))
    }

    /// Folders that exist but hold no watch because a limit was reached (absolute paths): the
    /// caller polls them until `retryUnwatched()` succeeds.
    public var unwatchedDirectories: [String] {
        tree.unwatched.map(absolutePath).sorted()
    }

    /// True while some folder of the tree is unwatched.
    public var isDegraded: Bool { !tree.unwatched.isEmpty }

    /// Number of watches the watcher holds.
    public var watchCount: Int { tree.watchCount }

    /// The watched folders, relative to the root (`""` is the root itself), sorted.
    public var watchedPaths: [String] {
        tree.watchedPaths.map { $0.joined(separator: "/") }.sorted()
    }

    /// Number of watches the kernel holds for this watcher's instance (`/proc/self/fdinfo`).
    public func kernelWatchCount() -> Int? { instance.kernelWatchCount() }

    /// Stops watching: closes the inotify instance (the kernel drops every watch).
    public func close() {
        instance.close()
    }

    // MARK: - Sync cookies (F23)

    /// Creates `tasks/.orange-cookie-<pid>-<n>` and returns its token. When the cookie's CREATE
    /// comes back as `.cookie(token)`, every event queued before it has been read: one inotify
    /// instance delivers events in order. The watcher deletes the file when it sees it.
    public func writeCookie() throws(InotifyError) -> String {
        let token = "\(getpid())-\(Self.cookieCounter.add(1, ordering: .relaxed).newValue)"
        let path = tasksPath + "/" + TaskTreeNames.cookieFileName(token: token)
        do {
            closeDescriptor(try openFile(path, O_WRONLY | O_CREAT | O_EXCL, mode: 0o600))
        } catch {
            throw .cookieFailed(path: path, errno: error.errno)
        }
        pendingCookies.insert(token)
        return token
    }

    /// Writes a cookie, then reads and collects hints until that cookie is seen; waits in
    /// `poll(2)` up to `deadline`. Cookie hints of this sync are not returned.
    ///
    /// If `tasks/` was rebound meanwhile (a `.rescan` of it or of the whole tree), the cookie may
    /// have been written before the new folder was watched; after an overflow its event may have
    /// been dropped. In both cases a fresh cookie is written.
    public func syncAndDrain(deadline: PollLoop.Deadline) throws(InotifyError) -> [WatchHint] {
        var tokens = [try writeCookie()]
        var hints: [WatchHint] = []
        while true {
            let batch = try readHints()
            let done = batch.contains(.cookie(tokens.last!))
            hints += batch.filter {
                if case .cookie(let token) = $0 { return !tokens.contains(token) }
                return true
            }
            if done { return hints }
            if batch.contains(.overflow) || batch.contains(.rescan(path: ""))
                || batch.contains(.rescan(path: TaskTreeNames.tasksFolder))
            {
                discardCookie(tokens.last!)
                tokens.append(try writeCookie())
                continue
            }
            if deadline.hasPassed { throw .syncTimedOut(token: tokens.last!) }
            try waitReadable(until: deadline)
        }
    }

    private func discardCookie(_ token: String) {
        guard pendingCookies.remove(token) != nil else { return }
        _ = unlink(tasksPath + "/" + TaskTreeNames.cookieFileName(token: token))
    }

    private func waitReadable(until deadline: PollLoop.Deadline) throws(InotifyError) {
        var entries = [pollfd(fd: instance.fileDescriptor, events: Int16(POLLIN), revents: 0)]
        if case .failure(let error) = pollRetryingInterrupts(&entries, until: deadline) { throw .pollFailed(errno: error.code) }
    }

    /// Called when a cookie's CREATE is read: our own cookie files are removed at once.
    func cookieSeen(_ token: String) {
        discardCookie(token)
    }

    // MARK: - Binding and scanning

    func absolutePath(_ path: [String]) -> String {
        path.isEmpty ? rootPath : rootPath + "/" + path.joined(separator: "/")
    }

    /// Watches the root, then `tasks/` and everything below it if it exists.
    private func bindRoot(_ hints: inout [WatchHint]) throws(InotifyError) {
        bindingEmptyMap = tree.watchCount == 0 && tree.unwatched.isEmpty
        defer { bindingEmptyMap = false }
        do {
            let wd = try instance.addWatch(path: rootPath, mask: Self.watchMask)
            tree.record(wd: wd, path: [])
        } catch {
            switch error {
            case .watchLimitReached, .instanceLimitReached:
                noteLimit(error)
                tree.markUnwatched([])
            default:
                throw error
            }
        }
        addDirectory([TaskTreeNames.tasksFolder], force: false, &hints)
    }

    /// Drops every watch and binds the tree again (root moved, deleted or replaced).
    func rebindAll(_ hints: inout [WatchHint]) {
        removeWatches(under: [])
        appendOnce(.rescan(path: ""), to: &hints)
        do {
            try bindRoot(&hints)
        } catch {
            // The root is gone: keep polling it as an unwatched folder until it comes back.
            tree.markUnwatched([])
            logger?.warn("watch", "data root cannot be watched", [("error", .string(error.description))])
        }
    }

    /// Watches `path` (1 to 3 components), reports it, and scans it: first the watch, then the
    /// listing, so an entry created in between is seen by the scan, by an event, or by both.
    /// A folder already watched under the same path is only rescanned when `force` is set.
    ///
    /// A folder that cannot be watched (limit reached) is listed as unwatched and still scanned,
    /// so start-up reports its tasks; with `retrying`, it is not scanned again (the loop's poll
    /// covers it) and the result says the limit is still reached, so a retry can stop early.
    /// Returns true when the watch failed because of a limit.
    @discardableResult
    func addDirectory(_ path: [String], force: Bool, retrying: Bool = false, _ hints: inout [WatchHint]) -> Bool {
        guard (1...3).contains(path.count), isInScope(path) else { return false }
        let absolute = absolutePath(path)
        var alreadyKnown = false
        do {
            let wd = try instance.addWatch(path: absolute, mask: Self.watchMask)
            if let previous = tree.wd(of: path), previous != wd {
                // Same name, another inode: what was recorded under this name is stale.
                removeWatches(under: path)
            }
            alreadyKnown = tree.holds(wd: wd, at: path)
            for stale in tree.record(wd: wd, path: path) { instance.removeWatch(stale) }
        } catch {
            switch error {
            case .noSuchPath, .notADirectory:
                // Gone again (or a file); its removal event follows. An unwatched folder has no
                // watch to report it, so it must not stay listed (and polled) forever.
                tree.forgetUnwatched(under: path)
                return false
            case .watchLimitReached, .instanceLimitReached:
                noteWatchFailure(error)
                tree.markUnwatched(path)
                if retrying { return true }
            default:
                noteWatchFailure(error)
                tree.markUnwatched(path)
                if retrying { return false }
            }
        }
        if alreadyKnown && !force { return false }
        if let hint = directoryHint(path, .appeared) { hints.append(hint) }
        if path.count == 3 {
            // Only TASK.md matters in a task folder: one `lstat` of it, not a listing of the
            // folder (open, two getdents, close: most of a 100,000-task start-up's watcher time).
            if Self.holdsTaskFile(absolute) {
                hints.append(.taskFile(project: path[1], taskID: path[2], kind: .appeared))
            }
            return false
        }
        guard let entries = DirectoryListing.entries(atPath: absolute) else { return false }
        let names = entries.compactMap { $0.kind == .directory && TaskTreeNames.isCandidateDirectory($0.name) ? $0.name : nil }.sorted()
        if path.count == 2 && path[0] == TaskTreeNames.tasksFolder && bindingEmptyMap && !retrying {
            // A rescan of folders already watched would only reserve room it never fills.
            tree.reserveCapacity(adding: names.count)
            addNewTaskFolders(path, names, force: force, &hints)
            return false
        }
        var limited = false
        for name in names {
            if addDirectory(path + [name], force: force, retrying: retrying, &hints) { limited = true }
        }
        return limited
    }

    /// Whether the task folder at `absolute` holds a `TASK.md` that is not a folder (a file, or
    /// a symlink the read then reports as missing): what a listing of the folder said before.
    static func holdsTaskFile(_ absolute: String) -> Bool {
        guard let status = FileSystem.status(absolute + "/" + TaskTreeNames.taskFile) else { return false }
        return !status.isDirectory
    }

    /// False for a project folder (and what is below it) outside `onlyProject`.
    func isInScope(_ path: [String]) -> Bool {
        guard let onlyProject, path.count >= 2 else { return true }
        return path[1] == onlyProject
    }

    /// Removes `prefix` and its descendants from the map and from the kernel.
    func removeWatches(under prefix: [String]) {
        for wd in tree.removeSubtree(prefix) { instance.removeWatch(wd) }
    }

    func directoryHint(_ path: [String], _ change: WatchDirectoryChange) -> WatchHint? {
        switch path.count {
        case 2: return .projectDirectory(project: path[1], change: change)
        case 3: return .taskDirectory(project: path[1], taskID: path[2], change: change)
        default: return nil
        }
    }

    func appendOnce(_ hint: WatchHint, to hints: inout [WatchHint]) {
        if !hints.contains(hint) { hints.append(hint) }
    }

    /// A folder's watch could not be added (and the folder exists): a limit, or another error.
    func noteWatchFailure(_ error: InotifyError) {
        switch error {
        case .watchLimitReached, .instanceLimitReached: noteLimit(error)
        default: logger?.warn("watch", "cannot watch folder", [("error", .string(error.description))])
        }
    }

    private func noteLimit(_ error: InotifyError) {
        if lastLimitError == nil {
            logger?.warn("watch", "degraded: \(error.description); unwatched folders will be polled")
        }
        lastLimitError = error
    }

    func noteOverflow() {
        overflowCount += 1
        logger?.warn("watch", "inotify queue overflow; full resync", [("overflows", .int(Int64(overflowCount)))])
    }

    func noteUnknownWatch(_ wd: Int32) {
        unknownWatchCount += 1
        logger?.warn("watch", "event for an unknown watch; rescan", [("wd", .int(Int64(wd)))])
    }
}
