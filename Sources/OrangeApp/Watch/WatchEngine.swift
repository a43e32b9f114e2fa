import Glibc
import Synchronization
import OrangeCore
import OrangeSystem

/// `orange watch`: inotify events in, graph updates and agent spawns out.
///
/// One thread owns the watcher, the reducer and the engine's view of the graph, and sleeps in
/// `poll(2)` until an event, a signal or the reducer's next deadline. Reconciles (git, tmux) run
/// on `EngineWorker`'s thread so the inotify queue keeps draining.
final class WatchEngine {
    struct Options {
        var sweepIntervalSeconds: Double = 30
        var quietMilliseconds: UInt64 = 30
        var json = false
        /// False when another engine holds the lock: keep the graph current, never act (the dashboard following `orange watch`).
        var performsActions = true
        /// False when the caller (the dashboard) owns SIGINT/SIGTERM itself and stops the engine through `control`.
        var handlesSignals = true
    }

    let context: AppContext
    let options: Options
    let layout: DataDirectory
    /// Writes one event: a JSON line with `--json`, a readable line otherwise.
    let emit: @Sendable (JSONValue, String) -> Void
    private var reducer: WatchReducer
    private var graph = TaskGraph()
    private var firstHint: [TaskKey: UInt64] = [:]
    private var pendingSyncs: [String] = []
    private var vcsLocked = false
    /// Ready tasks already announced, so a later rewrite of the blocker does not repeat it.
    private var announcedReady: Set<TaskID> = []
    private let clock = SystemClock()
    /// Files that do not parse, by task: shown by the dashboard until they are fixed.
    private var invalidFiles: [TaskKey: InvalidTaskFile] = [:]
    private let control: EngineControl?
    /// Set once the start-up scan is applied: later new tasks are reported as `added`.
    private var started = false
    /// Receives the graph after every change (the dashboard's only source of task state).
    private let onSnapshot: (@Sendable (EngineSnapshot) -> Void)?

    init(context: AppContext, options: Options, control: EngineControl? = nil,
         onSnapshot: (@Sendable (EngineSnapshot) -> Void)? = nil, print: @escaping @Sendable (String) -> Void) {
        self.context = context
        self.options = options
        self.control = control
        self.onSnapshot = onSnapshot
        let json = options.json
        emit = { value, text in print(json ? value.rendered() + "\n" : text + "\n") }
        layout = DataDirectory(home: context.home)
        reducer = WatchReducer(
            configuration: WatchConfiguration(
                quietPeriod: options.quietMilliseconds * WatchConfiguration.millisecond,
                sweepInterval: UInt64(options.sweepIntervalSeconds * 1000) * WatchConfiguration.millisecond),
            now: SystemClock().monotonicNanoseconds())
    }

    /// Runs until SIGINT or SIGTERM; returns the exit code.
    func run() throws -> Int32 {
        try FileSystem.makeDirectories(layout.tasksRoot)
        let watcher = try TaskTreeWatcher(root: context.home, logger: context.logger)
        let loop = try PollLoop()
        if options.handlesSignals { try PollLoop.installSignalHandlers(waker: loop.waker) }
        defer { if options.handlesSignals { PollLoop.restoreDefaultSignalHandlers() } }
        if control?.attach(loop.waker) == true { return 0 }

        let context = self.context
        let emit = self.emit
        let waker = loop.waker
        let worker = EngineWorker(onIdle: { waker.wake() }) { ids in
            do {
                for transition in try Reconciler(context: context).reconcile(changed: ids) {
                    var json = transition.json
                    if case .object(let pairs) = json { json = .object([("event", "engine")] + pairs) }
                    emit(json, "  engine: \(transition.id) \(transition.from.rawValue) → \(transition.to.rawValue) (\(transition.cause))")
                }
            } catch {
                emit(.object([("event", "error"), ("message", .string("\(error)"))]), "error: \(error)")
            }
        }
        emit(.object([("event", "started"), ("home", .string(context.home)), ("pid", .int(Int64(getpid())))]),
             "orange watch: watching \(layout.tasksRoot) (Ctrl-C to stop)")
        try handle(.hints(watcher.start()), watcher: watcher, worker: worker)
        // A `watch sync` that dropped its cookie before the watches were in place is never seen
        // as created; the start-up scan has read everything written before it, so answer it too.
        if options.performsActions {
            for name in (try? FileSystem.listDirectory(layout.tasksRoot)) ?? [] {
                if let token = TaskTreeNames.cookieToken(name), token.hasPrefix("sync-") { pendingSyncs.append(String(token.dropFirst(5))) }
            }
        }
        publishSnapshot()
        started = true
        if options.performsActions { worker.request(nil) }  // catch up: anything ready before the engine started

        while true {
            // git's index.lock lives in the unwatched .git folder: while it exists, look for its
            // removal every 10 ms, so the held batch goes out right after git exits.
            var deadline = reducer.nextDeadline
            if vcsLocked { deadline = min(deadline ?? .max, clock.monotonicNanoseconds() + 10_000_000) }
            let outcome = try loop.wait(on: [watcher.fileDescriptor], until: deadline.map { PollLoop.Deadline(nanoseconds: $0) })
            if !outcome.signals.isEmpty || control?.isStopped == true {
                emit(.object([("event", "stopped")]), "orange watch: stopped")
                return 0
            }
            if outcome.readable.contains(watcher.fileDescriptor) {
                try handle(.hints(try watcher.readHints()), watcher: watcher, worker: worker)
            } else {
                try handle(.tick, watcher: watcher, worker: worker)
            }
            if watcher.isDegraded { _ = watcher.retryUnwatched() }
            // A tasks folder kept in git: while git holds its index lock (checkout, pull), changes
            // are held and applied as one batch.
            let locked = FileSystem.fileExists(layout.tasksRoot + "/.git/index.lock")
            if locked != vcsLocked {
                vcsLocked = locked
                try handle(.vcsLock(present: locked), watcher: watcher, worker: worker)
            }
            finishSyncs(worker)
        }
    }

    // MARK: - Reducer actions

    private func handle(_ event: WatchEvent, watcher: TaskTreeWatcher, worker: EngineWorker) throws {
        var queue: [WatchEvent] = [event]
        if case .hints(let hints) = event { noteHints(hints) }
        while !queue.isEmpty {
            let next = queue.removeFirst()
            for action in reducer.handle(next, now: clock.monotonicNanoseconds()) {
                queue += perform(action, watcher: watcher, worker: worker)
            }
        }
    }

    private func noteHints(_ hints: [WatchHint]) {
        let now = clock.monotonicNanoseconds()
        for hint in hints {
            switch hint {
            case .taskFile(let project, let id, _), .taskDirectory(let project, let id, _):
                let key = TaskKey(project: project, taskID: id)
                if firstHint[key] == nil { firstHint[key] = now }
            // A follower (performsActions off) must not answer: a sync means the acting engine is done.
            case .cookie(let token) where token.hasPrefix("sync-") && options.performsActions:
                pendingSyncs.append(String(token.dropFirst(5)))
            default:
                break
            }
        }
    }

    /// Does what the reducer asked and returns the answers to feed back.
    private func perform(_ action: WatchAction, watcher: TaskTreeWatcher, worker: EngineWorker) -> [WatchEvent] {
        switch action {
        case .read(let key):
            return [.fileRead(key, read(key))]
        case .stat(let key):
            return [.statResult(key, TaskFileReader.fingerprint(taskFile(key)))]
        case .fullResync:
            return [.hints(allTaskKeys().map { .taskFile(project: $0.project, taskID: $0.taskID, kind: .appeared) }), .resyncFinished]
        case .sweep:
            if options.performsActions { worker.request(nil) }
            checkWorkspaceLinks()
            return allTaskKeys().map { .statResult($0, TaskFileReader.fingerprint(taskFile($0))) } + [.sweepFinished]
        case .graphChanged(let changes):
            apply(changes)
            return []
        case .actionsAllowed(let keys):
            let ids = keys.compactMap { TaskID(validating: $0.taskID) }
            if options.performsActions && graph.changeMayNeedAction(ids) { worker.request(ids) }
            return []
        case .diagnostic(let message):
            emit(.object([("event", "diagnostic"), ("message", .string(message))]), "! \(message)")
            return []
        }
    }

    private var parsed: [TaskKey: TaskRecord] = [:]

    private func taskFile(_ key: TaskKey) -> String { TaskFileReader.file(key, tasksRoot: layout.tasksRoot) }

    private func read(_ key: TaskKey) -> FileReadResult {
        let (result, record) = TaskFileReader.read(key, tasksRoot: layout.tasksRoot)
        if let record { parsed[key] = record }
        return result
    }

    private func allTaskKeys() -> [TaskKey] {
        var keys: [TaskKey] = []
        for project in (try? FileSystem.listDirectory(layout.tasksRoot)) ?? [] where TaskTreeNames.isCandidateDirectory(project) {
            for id in (try? FileSystem.listDirectory(layout.tasksRoot + "/" + project)) ?? [] where TaskTreeNames.isCandidateDirectory(id) {
                if FileSystem.fileExists(layout.tasksRoot + "/\(project)/\(id)/TASK.md") { keys.append(TaskKey(project: project, taskID: id)) }
            }
        }
        return keys
    }

    /// Updates the engine's graph and reports what changed, with the delay since the first event.
    private func apply(_ changes: [TaskKey: TaskChange]) {
        let now = clock.monotonicNanoseconds()
        var changedIDs: [TaskID] = []
        defer { publishSnapshot() }
        for (key, change) in changes.sorted(by: { $0.key < $1.key }) {
            let latency = firstHint.removeValue(forKey: key).map { Double(now - $0) / 1e6 }
            let latencyText = latency.map { ", \(Int($0.rounded())) ms" } ?? ""
            switch change {
            case .updated:
                invalidFiles[key] = nil
                guard let record = parsed.removeValue(forKey: key) else { continue }
                let old = graph[record.id]
                graph.upsert(record)
                changedIDs.append(record.id)
                if old == nil && started {
                    emit(.object([("event", "added"), ("id", .string(record.id.rawValue)), ("branch", .string(record.branch)),
                                  ("status", .string(record.status.rawValue)), ("latency_ms", latency.map { .double($0) } ?? .null)]),
                         "\(record.branch)  new task, \(record.status.rawValue)  (\(record.id)\(latencyText))")
                }
                if let old, old.status != record.status {
                    emit(.object([("event", "status"), ("id", .string(record.id.rawValue)), ("branch", .string(record.branch)),
                                  ("from", .string(old.status.rawValue)), ("to", .string(record.status.rawValue)), ("latency_ms", latency.map { .double($0) } ?? .null)]),
                         "\(record.branch)  \(old.status.rawValue) → \(record.status.rawValue)  (\(record.id)\(latencyText))")
                }
            case .removed:
                invalidFiles[key] = nil
                if let id = TaskID(validating: key.taskID), graph[id] != nil {
                    graph.remove(id)
                    changedIDs.append(id)
                    emit(.object([("event", "removed"), ("id", .string(key.taskID))]), "\(key.taskID)  removed")
                }
            case .invalid(let line, let reason):
                invalidFiles[key] = InvalidTaskFile(path: taskFile(key), line: line, reason: reason)
                let where_ = taskFile(key) + (line.map { ":\($0)" } ?? "")
                emit(.object([("event", "invalid"), ("path", .string(taskFile(key))), ("line", line.map { .int(Int64($0)) } ?? .null), ("reason", .string(reason))]),
                     "! \(where_): \(reason) (keeping the last good version)")
            }
        }
        guard !changedIDs.isEmpty else { return }
        // What the change made ready, with the blocker that released it.
        let evaluation = graph.evaluate(changed: changedIDs)
        announcedReady = announcedReady.filter { graph[$0]?.status == .pending }
        for id in evaluation.ready where !changedIDs.contains(id) && !announcedReady.contains(id) {
            guard let task = graph[id] else { continue }
            announcedReady.insert(id)
            let cause = task.blockedBy.filter { changedIDs.contains($0) }.compactMap { graph[$0]?.branch }.first.map { "blocker \($0) done" } ?? "ready"
            emit(.object([("event", "ready"), ("id", .string(id.rawValue)), ("branch", .string(task.branch)), ("cause", .string(cause))]),
                 "\(task.branch)  ready  (\(cause))")
        }
    }

    private func publishSnapshot() {
        onSnapshot?(EngineSnapshot(graph: graph, invalidFiles: invalidFiles.sorted { $0.key < $1.key }.map(\.value)))
    }

    /// F14: a workspace's TASK.md must stay a symlink to the task; an editor may have replaced it.
    private func checkWorkspaceLinks() {
        for task in graph.tasks.values where task.workspace != nil {
            let link = context.workspacePath(task.workspace!) + "/TASK.md"
            if let status = FileSystem.status(link), !status.isSymbolicLink {
                emit(.object([("event", "diagnostic"), ("id", .string(task.id.rawValue)), ("message", .string("\(link) is no longer a link to the task"))]),
                     "! \(link) is a plain file, not the link to task \(task.id): edits there are not seen (they are kept when the workspace is released)")
            }
        }
    }

    /// Answers `orange watch sync` once everything before its cookie has been applied.
    private func finishSyncs(_ worker: EngineWorker) {
        guard !pendingSyncs.isEmpty, reducer.isSettled, worker.isIdle else { return }
        for token in pendingSyncs {
            // Answered once: a cookie found by the start-up listing may also arrive as an event.
            let cookie = layout.tasksRoot + "/" + TaskTreeNames.cookieFileName(token: "sync-" + token)
            guard FileSystem.fileExists(cookie) else { continue }
            try? FileSystem.removeTree(cookie)
            try? AtomicFile.write("synced\n", to: context.home + "/" + TransientFileNames.syncAnswer(token: token))
        }
        pendingSyncs.removeAll()
    }
}

/// The engine's view of the tasks at one moment.
struct EngineSnapshot: Sendable {
    var graph: TaskGraph
    var invalidFiles: [InvalidTaskFile]
}

/// Lets another thread stop a running engine: the dashboard, when it quits.
final class EngineControl: Sendable {
    private let state = Mutex<(stopped: Bool, waker: PollWaker?)>((false, nil))

    init() {}

    var isStopped: Bool { state.withLock { $0.stopped } }

    func stop() {
        state.withLock { state -> PollWaker? in
            state.stopped = true
            return state.waker
        }?.wake()
    }

    /// Called by the engine with its loop's waker; true when a stop came first.
    func attach(_ waker: PollWaker) -> Bool {
        state.withLock { state in
            state.waker = waker
            return state.stopped
        }
    }
}
