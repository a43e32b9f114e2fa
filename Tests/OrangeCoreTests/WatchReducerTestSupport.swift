import OrangeCore

/// Milliseconds as monotonic nanoseconds.
func ms(_ value: UInt64) -> UInt64 { value * 1_000_000 }

/// A start time well away from zero, so "before the start" bugs cannot hide behind underflow.
let t0: UInt64 = 1_000_000_000_000

func key(_ taskID: String, _ project: String = "p") -> TaskKey { TaskKey(project: project, taskID: taskID) }

func file(_ key: TaskKey, _ kind: WatchHintKind) -> WatchHint {
    .taskFile(project: key.project, taskID: key.taskID, kind: kind)
}

/// What a fake TASK.md holds.
enum FakeContent: Hashable {
    case valid(UInt64)
    case invalid(line: Int?, reason: String)
}

/// A TASK.md in the fake tree: content plus the `lstat` data a real file would show.
struct FakeFile: Hashable {
    var content: FakeContent
    var fingerprint: FileFingerprint
}

/// The fake tree as the driver reads it: every read answered at once, unless reads are held.
struct FakeTaskTree: TaskTreeSource {
    var files: [TaskKey: FakeFile]
    var answerReads: Bool

    func read(_ keys: [TaskKey]) -> [TaskFileRead?] {
        keys.map { answerReads ? TaskFileRead(result: FakeTaskTree.result(files[$0]), record: nil) : nil }
    }

    func stat(_ key: TaskKey) -> FileFingerprint? { files[key]?.fingerprint }
    func resync() -> [TaskKey] { files.keys.sorted() }
    func allTaskKeys() -> [TaskKey] { files.keys.sorted() }

    static func result(_ file: FakeFile?) -> FileReadResult {
        guard let file else { return .missing }
        switch file.content {
        case .valid(let hash): return .parsed(fingerprint: file.fingerprint, contentHash: hash)
        case .invalid(let line, let reason): return .invalid(fingerprint: file.fingerprint, line: line, reason: reason)
        }
    }
}

/// The engine's `WatchDriver` over a fake task tree (the swift-nio EmbeddedEventLoop idea: the
/// production driver, an in-memory world), plus an engine-side model of the graph and a log of
/// everything with its time. Time moves only through `advance(to:)`.
struct FakeWatchLoop {
    var driver: WatchDriver
    var reducer: WatchReducer { driver.reducer }
    var now: UInt64
    var files: [TaskKey: FakeFile] = [:]
    private var nextInode: UInt64 = 100
    private var writeCount: Int64 = 0

    /// Every action, with the time it was returned.
    var log: [(time: UInt64, action: WatchAction)] = []
    /// The engine's view: the last change reported for each task (and orange's own writes).
    var graph: [TaskKey: TaskChange] = [:]
    /// Each `.graphChanged` batch with its time.
    var batches: [(time: UInt64, changes: [TaskKey: TaskChange])] = []
    /// Each task named by `.actionsAllowed`, with the time.
    var allowed: [(time: UInt64, key: TaskKey)] = []
    /// When false, reads are left unanswered (a slow loop), to test what waits for them.
    var answerReads = true

    init(configuration: WatchConfiguration = WatchConfiguration(), start: UInt64 = t0) {
        driver = WatchDriver(reducer: WatchReducer(configuration: configuration, now: start))
        now = start
    }

    var reads: [TaskKey] { log.compactMap { if case .read(let k) = $0.action { return k } else { return nil } } }
    var stats: [TaskKey] { log.compactMap { if case .stat(let k) = $0.action { return k } else { return nil } } }
    var resyncs: Int { log.filter { $0.action == .fullResync }.count }
    var sweeps: Int { log.filter { $0.action == .sweep }.count }
    var diagnostics: [String] {
        log.compactMap { if case .diagnostic(let d) = $0.action { return d } else { return nil } }
    }

    func reads(of key: TaskKey) -> Int { reads.filter { $0 == key }.count }

    // MARK: - The fake tree

    private mutating func fingerprint(for content: FakeContent, keepInode: UInt64?) -> FileFingerprint {
        let size: UInt64
        switch content {
        case .valid(let hash): size = 100 + hash % 1000
        case .invalid(_, let reason): size = UInt64(reason.utf8.count)
        }
        let inode: UInt64
        if let keepInode {
            inode = keepInode
        } else {
            nextInode += 1
            inode = nextInode
        }
        // A distinct mtime per write: a real file system's coarse mtime could hide a same-size write
        // from a stat-only sweep, which is a documented limit, not what these tests are about.
        writeCount += 1
        return FileFingerprint(inode: inode, size: size, mtimeNanoseconds: Int64(now) + writeCount)
    }

    /// Writes in place (same inode, new size/mtime): what `printf >` or a truncate+write does.
    mutating func writeInPlace(_ key: TaskKey, _ content: FakeContent) {
        let inode = files[key]?.fingerprint.inode
        files[key] = FakeFile(content: content, fingerprint: fingerprint(for: content, keepInode: inode))
    }

    /// Replaces by rename or re-creation (new inode).
    mutating func replace(_ key: TaskKey, _ content: FakeContent) {
        files[key] = FakeFile(content: content, fingerprint: fingerprint(for: content, keepInode: nil))
    }

    mutating func remove(_ key: TaskKey) { files[key] = nil }

    /// `touch`: new mtime, same inode and content.
    mutating func touch(_ key: TaskKey) {
        guard var file = files[key] else { return }
        writeCount += 1
        file.fingerprint.mtimeNanoseconds = Int64(now) + writeCount
        files[key] = file
    }

    func readResult(_ key: TaskKey) -> FileReadResult { FakeTaskTree.result(files[key]) }

    // MARK: - Driving the reducer

    /// Moves time forward, ticking at every deadline on the way (as the loop's poll timeout does).
    mutating func advance(to time: UInt64) {
        while let deadline = reducer.nextDeadline, deadline <= time {
            now = max(now, deadline)
            send(.tick)
        }
        now = max(now, time)
    }

    mutating func advance(by delta: UInt64) { advance(to: now + delta) }

    /// Ticks through deadlines until nothing but the periodic sweep is pending (at most `limit`).
    mutating func settle(limit: UInt64 = ms(5_000)) {
        let end = now + limit
        while !reducer.isSettled, let deadline = reducer.nextDeadline, deadline <= end {
            now = max(now, deadline)
            send(.tick)
        }
    }

    mutating func hints(_ hints: [WatchHint]) { send(.hints(hints)) }

    /// Sends one event now; the driver answers the resulting requests (and theirs) at once.
    mutating func send(_ event: WatchEvent) {
        var actions: [WatchAction] = []
        let tree = FakeTaskTree(files: files, answerReads: answerReads)
        let time = now
        let outputs = driver.handle([event], source: tree, now: { time }, trace: { actions.append($0) })
        log += actions.map { (time, $0) }
        take(outputs)
    }

    private mutating func take(_ outputs: [WatchDriver.Output]) {
        for output in outputs {
            switch output {
            case .graphChanged(let changes):
                batches.append((now, Dictionary(uniqueKeysWithValues: changes.map { ($0.key, $0.change) })))
                for applied in changes { graph[applied.key] = applied.change }
            case .selfWritten(let applied):
                graph[applied.key] = applied.change
            case .actionsAllowed(let keys):
                allowed += keys.map { (now, $0) }
            case .diagnostic, .sweepStarted, .resyncStarted, .cookie, .startUpBatchEnded:
                break
            }
        }
    }

    /// orange writes `hash` itself: renames over, tells the driver (which updates the engine's
    /// graph); then the watcher's events for the write arrive.
    mutating func selfWrite(_ key: TaskKey, _ hash: UInt64) {
        replace(key, .valid(hash))
        recordSelfWrite(key, hash)
        hints([file(key, .completeWrite)])
    }

    /// What the engine does once its own write's rename has landed.
    mutating func recordSelfWrite(_ key: TaskKey, _ hash: UInt64) {
        guard let id = TaskID(validating: key.taskID), let project = ProjectName(validating: key.project) else {
            preconditionFailure("orange writes only tasks with valid names: \(key)")
        }
        var actions: [WatchAction] = []
        let tree = FakeTaskTree(files: files, answerReads: answerReads)
        let time = now
        let record = TaskRecord(id: id, project: project, branch: key.taskID)
        take(driver.recordSelfWrite(key, record: record, hash: hash, source: tree, now: { time }, trace: { actions.append($0) }))
        log += actions.map { (time, $0) }
    }

    /// Creates `keys` with contents and loads them the way start-up does, then settles and clears
    /// the log so tests see only what follows.
    mutating func load(_ contents: [TaskKey: UInt64]) {
        for (key, hash) in contents.sorted(by: { $0.key < $1.key }) { replace(key, .valid(hash)) }
        hints(contents.keys.sorted().map { file($0, .appeared) })
        settle()
        clearLog()
    }

    mutating func clearLog() {
        log.removeAll()
        batches.removeAll()
        allowed.removeAll()
    }
}
