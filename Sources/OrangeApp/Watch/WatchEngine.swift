import Dispatch
import OrangeCore
import OrangeSystem

/// `orange watch`: inotify events in, graph updates and agent spawns out.
///
/// One thread owns the watcher, the reducer and the engine's view of the graph, and sleeps in
/// `poll(2)` until an event, a signal, the reducer's next deadline or the next poll of unwatched
/// folders. Reconciles (git, tmux) run on `EngineWorker`'s thread so the inotify queue keeps
/// draining.
final class WatchEngine {
    struct Options {
        var sweepIntervalSeconds: Double = 30
        var quietMilliseconds: UInt64 = 30
        /// Degraded mode (F12): how often folders without a watch are polled and their watches
        /// retried (`--poll-interval`).
        var pollIntervalSeconds: Double = 1
        /// Only this project is watched, reconciled and spawned in (`--project`); nil: every one.
        var project: ProjectName?
        var json = false
        /// The CLI stops on SIGINT/SIGTERM. Signal dispositions are process-wide, so an engine run
        /// inside a test process stops through `stopHandle` instead.
        var handlesSignals = true
        /// False when another engine holds the lock: keep the graph current, never act (the
        /// dashboard following `orange watch`).
        var performsActions = true
    }

    /// Seams for tests of a slow consumer (F24); both do nothing by default.
    struct Hooks {
        /// Runs on the worker's thread before each reconcile (a slow git or tmux).
        var beforeReconcile: @Sendable () -> Void = {}
        /// Runs on the loop's thread after each graph update: anything slow here stalls the
        /// reading of inotify events, which is what the kernel queue overflow is about.
        var afterGraphUpdate: () -> Void = {}
    }

    /// What the engine holds, for tests to compare with a fresh scan once `run()` returned.
    struct Snapshot: Sendable {
        var knownKeys: [TaskKey]
        var graph: [TaskID: TaskRecord]
        var reducer: WatchReducerState
        var watcherOverflows: Int
        var unwatchedFolders: Int
    }

    let context: AppContext
    let options: Options
    let hooks: Hooks
    let layout: DataDirectory
    let stopHandle: StopHandle
    /// Writes one event: a JSON line with `--json`, a readable line otherwise.
    let emit: @Sendable (JSONValue, String) -> Void
    var reducer: WatchReducer
    var graph = TaskGraph()
    var firstHint: [TaskKey: UInt64] = [:]
    var parsed: [TaskKey: TaskRecord] = [:]
    /// Ready tasks already announced, so a later rewrite of the blocker does not repeat it.
    var announcedReady: Set<TaskID> = []
    /// Degraded mode: when the next poll of unwatched folders is due (nil: not degraded).
    var nextPollAt: UInt64?
    var degradedPolls = 0
    let clock = SystemClock()
    private let loop: PollLoop
    private var watcher: TaskTreeWatcher?
    /// The TASK.md links of the bound workspaces (nil for a follower, which repairs nothing, or
    /// without an inotify instance to spare: the sweeps then repair alone).
    var linkWatcher: WorkspaceLinkWatcher?
    /// Workspaces whose TASK.md was touched, with when to look at it.
    var pendingLinkChecks: [String: UInt64] = [:]
    let linkRepairQueue = DispatchQueue(label: "orange.engine.workspace-links")
    /// Writes the history lines of status changes made outside orange.
    let historyQueue = DispatchQueue(label: "orange.engine.history")
    /// Files that do not parse, by task: shown by the dashboard until they are fixed.
    var invalidFiles: [TaskKey: InvalidTaskFile] = [:]
    /// Set once the start-up scan is applied: later new tasks are reported as `added`.
    var started = false
    private let control: EngineControl?
    /// Receives the graph after every change (the dashboard's only source of task state).
    let onSnapshot: (@Sendable (EngineSnapshot) -> Void)?
    private var pendingSyncs: [String] = []
    /// Answers commands' reads from the graph (`WatchEngine+ReadServer.swift`).
    var readServer: EngineReadServer?
    private var vcsLocked = false

    init(
        context: AppContext, options: Options, hooks: Hooks = Hooks(), control: EngineControl? = nil,
        onSnapshot: (@Sendable (EngineSnapshot) -> Void)? = nil, print: @escaping @Sendable (String) -> Void
    ) throws {
        self.control = control
        self.onSnapshot = onSnapshot
        self.context = context
        self.options = options
        self.hooks = hooks
        let json = options.json
        emit = { value, text in print(json ? value.rendered() + "\n" : text + "\n") }
        layout = DataDirectory(home: context.home)
        HeapTuning.useOneArena()
        loop = try PollLoop()
        stopHandle = StopHandle(waker: loop.waker)
        reducer = WatchReducer(
            configuration: WatchConfiguration(
                quietPeriod: options.quietMilliseconds * WatchConfiguration.millisecond,
                sweepInterval: UInt64(options.sweepIntervalSeconds * 1000) * WatchConfiguration.millisecond),
            now: SystemClock().monotonicNanoseconds())
    }

    /// Runs until SIGINT or SIGTERM (or `stopHandle.stop()`); returns the exit code.
    func run() throws -> Int32 {
        try FileSystem.makeDirectories(layout.tasksRoot)
        let watcher = try TaskTreeWatcher(root: context.home, logger: context.logger, project: options.project?.rawValue)
        self.watcher = watcher
        defer { watcher.close() }
        if options.performsActions {
            try? FileSystem.makeDirectories(context.workspacesRoot)
            do {
                linkWatcher = try WorkspaceLinkWatcher(workspacesRoot: context.workspacesRoot)
            } catch {
                emit(
                    .object([("event", "diagnostic"), ("message", .string("workspace TASK.md links are not watched: \(error)"))]),
                    "! workspace TASK.md links are not watched (\(error)); saves through them are applied by the sweeps only")
            }
        }
        defer { linkWatcher?.close() }
        if options.handlesSignals { try PollLoop.installSignalHandlers(waker: loop.waker) }
        defer { if options.handlesSignals { PollLoop.restoreDefaultSignalHandlers() } }
        if control?.attach(loop.waker) == true { return 0 }

        let worker = makeWorker()
        let scope = options.project.map { "/" + $0.rawValue } ?? ""
        emit(
            .object([
                ("event", "started"), ("home", .string(context.home)), ("project", .optional(options.project?.rawValue)),
                ("pid", .int(Int64(context.processes.currentProcess))),
            ]),
            "orange watch: watching \(layout.tasksRoot)\(scope) (Ctrl-C to stop)")
        try handle([.hints(watcher.start())], watcher: watcher, worker: worker)
        // A `watch sync` that dropped its cookie before the watches were in place is never seen
        // as created; the start-up scan has read everything written before it, so answer it too.
        for sync in syncCookiesOnDisk() where options.performsActions && !pendingSyncs.contains(sync) { pendingSyncs.append(sync) }
        publishSnapshot()
        HeapTuning.returnFreedMemory()  // the start-up read of every task is the largest pass
        started = true
        startReadServer()
        defer { readServer?.stop() }
        if options.performsActions {
            // Catch up on anything due before the engine started, from disk: like a sweep, it
            // is the backup that owes nothing to the engine's own view.
            worker.request(nil, deciding: nil)
            syncWorkspaceLinks(repairDetached: true)
            // Off the loop thread: listing every task folder takes a while on a large tree.
            let (home, project, emit) = (context.home, options.project, self.emit)
            DispatchQueue(label: "orange.engine.leftovers").async {
                for path in LeftoverSweep.run(home: home, project: project) {
                    emit(
                        .object([("event", "engine"), ("removed_leftover", .string(path))]),
                        "  engine: removed \(path), left by a process that is gone")
                }
            }
        }

        while true {
            coverUnwatched(watcher, worker: worker)
            // git's index.lock lives in the unwatched .git folder: while it exists, look for its
            // removal every 10 ms, so the held batch goes out right after git exits.
            let lockCheck = vcsLocked ? clock.monotonicNanoseconds() + 10_000_000 : nil
            let wakeAt = [reducer.nextDeadline, nextPollAt, lockCheck, nextLinkCheck].compactMap { $0 }.min()
            let descriptors = [watcher.fileDescriptor] + (linkWatcher.map { [$0.fileDescriptor] } ?? [])
            let outcome = try loop.wait(on: descriptors, until: wakeAt.map { PollLoop.Deadline(nanoseconds: $0) })
            if !outcome.signals.isEmpty || stopHandle.isRequested || control?.isStopped == true {
                emit(.object([("event", "stopped")]), "orange watch: stopped")
                return 0
            }
            if let links = linkWatcher, outcome.readable.contains(links.fileDescriptor) { readWorkspaceLinkEvents() }
            startDueLinkRepairs()
            if outcome.readable.contains(watcher.fileDescriptor) {
                try handle([.hints(try watcher.readHints())], watcher: watcher, worker: worker)
            } else {
                try handle([.tick], watcher: watcher, worker: worker)
            }
            // A tasks folder kept in git: while git holds its index lock (checkout, pull), changes
            // are held and applied as one batch.
            let locked = FileSystem.fileExists(layout.tasksRoot + "/.git/index.lock")
            if locked != vcsLocked {
                vcsLocked = locked
                try handle([.vcsLock(present: locked)], watcher: watcher, worker: worker)
            }
            finishSyncs(worker)
            publishReads()
        }
    }

    /// The engine's state; call it after `run()` returned (or from the loop's thread).
    func snapshot() -> Snapshot {
        Snapshot(
            knownKeys: reducer.knownKeys, graph: graph.tasks, reducer: reducer.state,
            watcherOverflows: watcher?.overflowCount ?? 0, unwatchedFolders: watcher?.unwatchedDirectories.count ?? 0)
    }

    private func makeWorker() -> EngineWorker {
        let context = self.context
        let emit = self.emit
        let project = options.project
        let beforeReconcile = hooks.beforeReconcile
        let waker = loop.waker
        return EngineWorker(onIdle: { waker.wake() }) { ids, graph in
            beforeReconcile()
            do {
                for transition in try Reconciler(context: context).reconcile(changed: ids, project: project, current: graph) {
                    var json = transition.json
                    if case .object(let pairs) = json { json = .object([("event", "engine")] + pairs) }
                    emit(json, "  engine: \(transition.id) \(transition.from.rawValue) → \(transition.to.rawValue) (\(transition.cause))")
                }
                // A full reconcile (start-up, sweeps) reads the whole tree from disk; it is rare
                // enough to pay for handing that memory back.
                if ids == nil { HeapTuning.returnFreedMemory() }
            } catch {
                emit(.object([("event", "error"), ("message", .string("\(error)"))]), "error: \(error)")
            }
        }
    }

    // MARK: - Reducer actions

    /// Feeds `events` to the reducer, performs every action it asks for and feeds the answers
    /// back, until nothing is left.
    func handle(_ events: [WatchEvent], watcher: TaskTreeWatcher, worker: EngineWorker) throws {
        var queue = events[...]
        for case .hints(let hints) in events {
            noteHints(hints)
            readServer?.note(hints)
        }
        while let next = queue.popFirst() {
            let actions = reducer.handle(next, now: clock.monotonicNanoseconds())
            var index = actions.startIndex
            while index < actions.endIndex {
                var reads: [TaskKey] = []
                while index < actions.endIndex, case .read(let key) = actions[index] {
                    reads.append(key)
                    index += 1
                }
                if !reads.isEmpty {
                    queue += read(reads)
                } else {
                    queue += perform(actions[index], watcher: watcher, worker: worker)
                    index += 1
                }
            }
            forgetFirstHintIfNothingChanged(after: next)
        }
    }

    /// A read or stat that left nothing pending and nothing to report ends what the task's
    /// first hint started (a change that went out in a batch already took its time): a chmod
    /// or a touch must not date the edit that comes seconds later (latency_ms, docs/watcher.md).
    private func forgetFirstHintIfNothingChanged(after event: WatchEvent) {
        switch event {
        case .fileRead(let key, _), .statResult(let key, _):
            if firstHint[key] != nil && reducer.isSettled(key) { firstHint[key] = nil }
        default:
            break
        }
    }

    /// A run of reads, answered in order. The start-up scan, a resync and a git checkout ask for
    /// thousands at once; they are read and parsed on every core (ParallelMap keeps short runs
    /// on this thread).
    private func read(_ keys: [TaskKey]) -> [WatchEvent] {
        let root = layout.tasksRoot
        let results = ParallelMap.map(count: keys.count) { TaskFileReader.read(keys[$0], tasksRoot: root) }
        return zip(keys, results).map { key, read in
            // Without its body: nothing the engine decides or shows needs it, and a tree of
            // long task notes would otherwise all sit in the engine's memory.
            if let record = read.record { parsed[key] = record.withoutBody }
            return .fileRead(key, read.result)
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
                let sync = String(token.dropFirst(5))
                if !pendingSyncs.contains(sync) { pendingSyncs.append(sync) }
            default:
                break
            }
        }
    }

    /// Does what the reducer asked and returns the answers to feed back.
    private func perform(_ action: WatchAction, watcher: TaskTreeWatcher, worker: EngineWorker) -> [WatchEvent] {
        switch action {
        case .read(let key):
            return read([key])
        case .stat(let key):
            return [.statResult(key, TaskFileReader.fingerprint(taskFile(key)))]
        case .fullResync:
            // Through the watcher, which also re-adds the watches lost with the events (F9).
            let found = watcher.resync().filter { if case .taskFile(_, _, .appeared) = $0 { true } else { false } }
            // A sync cookie's own event may have been among the lost ones; the resync covers
            // everything written before it, so the syncs waiting on disk are answered once it settles.
            for sync in syncCookiesOnDisk() where options.performsActions && !pendingSyncs.contains(sync) { pendingSyncs.append(sync) }
            return [.hints(found), .resyncFinished]
        case .sweep:
            // From disk: the sweep is the backup for whatever the events missed.
            if options.performsActions { worker.request(nil, deciding: nil) }
            syncWorkspaceLinks(repairDetached: true)
            return allTaskKeys().map { .statResult($0, TaskFileReader.fingerprint(taskFile($0))) } + [.sweepFinished]
        case .graphChanged(let changes):
            apply(changes)
            hooks.afterGraphUpdate()
            return []
        case .actionsAllowed(let keys):
            let ids = keys.compactMap { TaskID(validating: $0.taskID) }
            if options.performsActions && graph.changeMayNeedAction(ids) { worker.request(ids, deciding: graphForReconcile()) }
            return []
        case .diagnostic(let message):
            context.logger.warn("watch", message, [])
            emit(.object([("event", "diagnostic"), ("message", .string(message))]), "! \(message)")
            return []
        }
    }

    /// The engine's graph, for a reconcile to decide on without reading every TASK.md again;
    /// nil (read from disk) when the graph is not the whole truth: `--project` watches one
    /// project while links may cross into others, and an invalid file's last good version is
    /// kept for display but must not be acted on.
    func graphForReconcile() -> TaskGraph? {
        options.project == nil && invalidFiles.isEmpty ? graph : nil
    }

    func taskFile(_ key: TaskKey) -> String { TaskFileReader.file(key, tasksRoot: layout.tasksRoot) }

    /// Every task folder with a TASK.md, in the watched project (or every project).
    private func allTaskKeys() -> [TaskKey] {
        var keys: [TaskKey] = []
        let projects = options.project.map { [$0.rawValue] } ?? ((try? FileSystem.listDirectory(layout.tasksRoot)) ?? [])
        for project in projects where TaskTreeNames.isCandidateDirectory(project) {
            for id in (try? FileSystem.listDirectory(layout.tasksRoot + "/" + project)) ?? [] where TaskTreeNames.isCandidateDirectory(id) {
                if FileSystem.fileExists(layout.tasksRoot + "/\(project)/\(id)/TASK.md") {
                    keys.append(TaskKey(project: project, taskID: id))
                }
            }
        }
        return keys
    }

    /// Answers `orange watch sync` once everything before its cookie has been applied. Only a
    /// cookie still on disk is answered (then removed), so a cookie both found by a resync and
    /// reported by its late event is answered once.
    private func finishSyncs(_ worker: EngineWorker) {
        guard !pendingSyncs.isEmpty, reducer.isSettled, worker.isIdle else { return }
        for token in pendingSyncs {
            // Answered once: a cookie found by a listing may also arrive as an event.
            let cookie = layout.tasksRoot + "/" + TaskTreeNames.cookieFileName(token: "sync-" + token)
            guard FileSystem.status(cookie) != nil else { continue }
            try? FileSystem.removeTree(cookie)
            try? AtomicFile.write("synced\n", to: context.home + "/" + TransientFileNames.syncAnswer(token: token))
        }
        pendingSyncs.removeAll()
    }

    /// The tokens of the `orange watch sync` cookies present in `tasks/`.
    private func syncCookiesOnDisk() -> [String] {
        ((try? FileSystem.listDirectory(layout.tasksRoot)) ?? []).compactMap { name in
            guard let token = TaskTreeNames.cookieToken(name), token.hasPrefix("sync-") else { return nil }
            return String(token.dropFirst(5))
        }.sorted()
    }
}
