import Glibc
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

    init(context: AppContext, options: Options, print: @escaping @Sendable (String) -> Void) {
        self.context = context
        self.options = options
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
        try PollLoop.installSignalHandlers(waker: loop.waker)
        defer { PollLoop.restoreDefaultSignalHandlers() }

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
        worker.request(nil)  // catch up: anything ready before the engine started

        while true {
            let outcome = try loop.wait(on: [watcher.fileDescriptor], until: reducer.nextDeadline.map { PollLoop.Deadline(nanoseconds: $0) })
            if !outcome.signals.isEmpty {
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
            case .cookie(let token) where token.hasPrefix("sync-"):
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
            worker.request(nil)
            checkWorkspaceLinks()
            return allTaskKeys().map { .statResult($0, TaskFileReader.fingerprint(taskFile($0))) } + [.sweepFinished]
        case .graphChanged(let changes):
            apply(changes)
            return []
        case .actionsAllowed(let keys):
            worker.request(keys.compactMap { TaskID(validating: $0.taskID) })
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
        for (key, change) in changes.sorted(by: { $0.key < $1.key }) {
            let latency = firstHint.removeValue(forKey: key).map { Double(now - $0) / 1e6 }
            let latencyText = latency.map { ", \(Int($0.rounded())) ms" } ?? ""
            switch change {
            case .updated:
                guard let record = parsed.removeValue(forKey: key) else { continue }
                let old = graph[record.id]
                graph.upsert(record)
                changedIDs.append(record.id)
                if let old, old.status != record.status {
                    emit(.object([("event", "status"), ("id", .string(record.id.rawValue)), ("branch", .string(record.branch)),
                                  ("from", .string(old.status.rawValue)), ("to", .string(record.status.rawValue)), ("latency_ms", latency.map { .double($0) } ?? .null)]),
                         "\(record.branch)  \(old.status.rawValue) → \(record.status.rawValue)  (\(record.id)\(latencyText))")
                }
            case .removed:
                if let id = TaskID(validating: key.taskID), graph[id] != nil {
                    graph.remove(id)
                    changedIDs.append(id)
                    emit(.object([("event", "removed"), ("id", .string(key.taskID))]), "\(key.taskID)  removed")
                }
            case .invalid(let line, let reason):
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
            try? FileSystem.removeTree(layout.tasksRoot + "/" + TaskTreeNames.cookieFileName(token: "sync-" + token))
            try? AtomicFile.write("synced\n", to: context.home + "/" + TransientFileNames.syncAnswer(token: token))
        }
        pendingSyncs.removeAll()
    }
}
