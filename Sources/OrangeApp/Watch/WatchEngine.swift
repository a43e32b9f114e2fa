import Dispatch
import OrangeCore
import OrangeSystem

/// `orange watch`: inotify events in, graph updates and agent spawns out.
///
/// One thread owns the watcher, the `WatchDriver` (the reducer and what it reads) and the
/// engine's view of the graph, and sleeps in `poll(2)` until an event, a signal, the reducer's
/// next deadline or the next poll of unwatched folders. Reconciles (git, tmux) run on
/// `EngineWorker`'s thread so the inotify queue keeps draining; what they write comes back to
/// the loop as orange's own writes.
final class WatchEngine {
    let context: AppContext
    let options: Options
    let hooks: Hooks
    let layout: DataDirectory
    let stopHandle: StopHandle
    /// Writes one event: a JSON line with `--json`, a readable line otherwise.
    let emit: @Sendable (JSONValue, String) -> Void
    var driver: WatchDriver
    var graph = TaskGraph() {
        // Counts every change, the engine's own writes included (they come in no reducer batch):
        // what the read server's cache of an indexed graph is keyed on.
        didSet { graphGeneration &+= 1 }
    }
    var graphGeneration: UInt64 = 0
    /// `graph`'s cycle index and one-sided links, updated with each change (`apply`).
    var graphIndexes = GraphIndexes(graph: TaskGraph())
    /// The indexes the worker built from scratch for a reconcile, for the loop to take.
    let rebuiltIndexes = RebuiltIndexes()
    /// orange's own writes made on other threads (the worker, the link repairs), for the loop.
    let selfWrites = SelfWriteInbox()
    /// One copy of each task id and project name for every record the engine holds.
    var interner = TaskRecordInterner()
    /// Ready tasks already announced, so a later rewrite of the blocker does not repeat it.
    var announcedReady: Set<TaskID> = []
    /// Degraded mode: when the next poll of unwatched folders is due (nil: not degraded).
    var nextPollAt: UInt64?
    var degradedPolls = 0
    let clock = SystemClock()
    private let loop: PollLoop
    private var watcher: TaskTreeWatcher?
    private var tree: WatchedTaskTree?
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
    /// Set once the start-up catch-up has been asked for (or would have been, for an engine
    /// that does not act): the action gates opened before it are its to decide.
    var catchUpAskedFor = false
    /// While the start-up's action gates are open: the tasks changed since the catch-up was
    /// asked for (`WatchEngine+CatchUp.swift`); nil otherwise.
    var changedSinceCatchUp: Set<TaskID>?
    /// The tasks applied before the start-up catch-up whose read did not vouch for their history
    /// (`AppliedTaskChange.historyAgrees`): the only ones it looks at (`WatchEngine+CatchUp.swift`).
    var historyToCheck: [TaskID] = []
    private let control: EngineControl?
    /// Receives the graph after every change (the dashboard's only source of task state).
    let onSnapshot: (@Sendable (EngineSnapshot) -> Void)?
    var pendingSyncs: [String] = []
    /// When to say what the waiting syncs wait for (`WatchEngine+SyncReport.swift`).
    var syncReportAt: UInt64?
    /// A periodic sweep's full reconcile put off while a `watch sync` waits: a sync waits for the
    /// worker to be idle, and on a loaded machine a full reconcile can outlast the sweep interval,
    /// so sweeps requested meanwhile would keep it busy for ever. It runs once the syncs are answered.
    private var sweepReconcileOwed = false
    /// Runs the notification hook when a task needs a person (`AttentionNotifier`).
    let attention: AttentionNotifier
    /// Answers commands' reads from the graph (`WatchEngine+ReadServer.swift`).
    var readServer: EngineReadServer?
    private var vcsLocked = false
    /// The index locks of the tasks folders kept in git (`WatchEngine+GitLocks.swift`).
    var gitIndexLocks: [String] = []
    /// Follows the open pull requests of tasks in review (nil: not following).
    var pullRequests: PullRequestFollower?
    /// Commits, fetches, merges and pushes shared tasks folders (nil: none is shared).
    var syncing: SyncFollower?

    init(
        context: AppContext, options: Options, hooks: Hooks = Hooks(), control: EngineControl? = nil,
        onSnapshot: (@Sendable (EngineSnapshot) -> Void)? = nil, print: @escaping @Sendable (String) -> Void
    ) throws {
        self.control = control
        self.onSnapshot = onSnapshot
        self.options = options
        self.hooks = hooks
        attention = AttentionNotifier(context: context)
        let json = options.json
        emit = { value, text in print(json ? JSONEnvelope.wrap(value).rendered() + "\n" : text + "\n") }
        layout = DataDirectory(home: context.home)
        HeapTuning.useOneArena()
        let loop = try PollLoop()
        self.loop = loop
        stopHandle = StopHandle(waker: loop.waker)
        driver = WatchDriver(
            reducer: WatchReducer(
                configuration: WatchConfiguration(
                    quietPeriod: options.quietMilliseconds * WatchConfiguration.millisecond,
                    stormCap: options.stormCapMilliseconds * WatchConfiguration.millisecond,
                    sweepInterval: UInt64(options.sweepIntervalSeconds * 1000) * WatchConfiguration.millisecond),
                now: SystemClock().monotonicNanoseconds()))
        var context = context
        if options.performsActions {
            let (selfWrites, waker) = (self.selfWrites, loop.waker)
            context.stores.tasks = context.stores.tasks.announcingWrites { record, hash in
                let key = TaskKey(project: record.project.rawValue, taskID: record.id.rawValue)
                selfWrites.post(SelfWriteInbox.Write(key: key, record: record.withoutBody, hash: hash))
                waker.wake()
            }
        }
        self.context = context
    }

    /// Runs until SIGINT or SIGTERM (or `stopHandle.stop()`); returns the exit code.
    func run() throws -> Int32 {
        try FileSystem.makeDirectories(layout.tasksRoot)
        let watcher = try TaskTreeWatcher(root: context.home, logger: context.logger, project: options.project?.rawValue)
        self.watcher = watcher
        let tree = WatchedTaskTree(watcher: watcher, tasksRoot: layout.tasksRoot, project: options.project?.rawValue)
        self.tree = tree
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
        pullRequests = startFollowingPullRequests()
        defer { pullRequests?.stop() }
        syncing = startSyncing()
        defer { syncing?.stop() }
        let scope = options.project.map { "/" + $0.rawValue } ?? ""
        emit(
            .object([
                ("event", "started"), ("home", .string(context.home)), ("project", .optional(options.project?.rawValue)),
                ("pid", .int(Int64(context.processes.table.currentProcess))),
            ]),
            "orange watch: watching \(layout.tasksRoot)\(scope) (Ctrl-C to stop)")
        gitIndexLocks = gitIndexLockFiles()
        handle([.hints(try watcher.start())], worker: worker)
        // A `watch sync` that dropped its cookie before the watches were in place is never seen
        // as created; the start-up scan has read everything written before it, so answer it too.
        for sync in syncCookiesOnDisk() where options.performsActions && !pendingSyncs.contains(sync) { pendingSyncs.append(sync) }
        publishSnapshot()
        HeapTuning.returnFreedMemory()  // the start-up read of every task is the largest pass
        started = true
        startReadServer()
        defer { readServer?.stop() }
        if options.performsActions {
            // Asked for as soon as the start-up batch was in the graph; here when the scan read
            // nothing in bulk.
            askForCatchUp(worker)
            syncWorkspaceLinks(repairDetached: true)
            // Off the loop thread, on what the catch-up leaves idle: listing every task folder
            // takes a while on a large tree.
            let (home, project, emit) = (context.home, options.project, self.emit)
            LowPriorityThread.start {
                for path in LeftoverSweep.run(home: home, project: project) {
                    emit(
                        .object([("event", "engine"), ("removed_leftover", .string(path))]),
                        "  engine: removed \(path), left by a process that is gone")
                }
                // The listing of every folder was freed on this thread's heap: hand it back.
                HeapTuning.returnFreedMemory()
            }
        }

        while true {
            coverUnwatched(watcher, worker: worker)
            // git's index.lock lives in the unwatched .git folder: while it exists, look for its
            // removal every 10 ms, so the held batch goes out right after git exits.
            let lockCheck = vcsLocked ? clock.monotonicNanoseconds() + 10_000_000 : nil
            let wakeAt = [driver.nextDeadline, nextPollAt, lockCheck, nextLinkCheck, syncReportAt].compactMap { $0 }.min()
            let descriptors = [watcher.fileDescriptor] + (linkWatcher.map { [$0.fileDescriptor] } ?? [])
            let outcome = try loop.wait(on: descriptors, until: wakeAt.map { PollLoop.Deadline(nanoseconds: $0) })
            if !outcome.signals.isEmpty || stopHandle.isRequested || control?.isStopped == true {
                emit(.object([("event", "stopped")]), "orange watch: stopped")
                return 0
            }
            if let links = linkWatcher, outcome.readable.contains(links.fileDescriptor) { readWorkspaceLinkEvents() }
            startDueLinkRepairs()
            // A tasks folder kept in git: while git holds its index lock (checkout, pull), changes
            // are held and applied as one batch. Looked at before the events are handled: git takes
            // the lock before its first write, and a whole file written is read at once.
            let locked = gitHoldsATasksFolder()
            if locked != vcsLocked {
                vcsLocked = locked
                handle([.vcsLock(present: locked)], worker: worker)
            }
            if outcome.readable.contains(watcher.fileDescriptor) {
                handle([.hints(try watcher.readHints())], worker: worker)
            } else {
                handle([.tick], worker: worker)
            }
            finishSyncs(worker)
            reportWaitingSyncs(worker)
            takeRebuiltIndexes()
            publishReads()
        }
    }

    /// The engine's state; call it after `run()` returned (or from the loop's thread).
    func snapshot() -> Snapshot {
        Snapshot(
            knownKeys: driver.knownKeys, graph: graph.tasks.dictionary, reducer: driver.reducer.state,
            watcherOverflows: watcher?.overflowCount ?? 0, unwatchedFolders: watcher?.unwatchedDirectories.count ?? 0)
    }

    private func makeWorker() -> EngineWorker {
        let context = self.context
        let emit = self.emit
        let project = options.project
        let beforeReconcile = hooks.beforeReconcile
        let waker = loop.waker
        let attention = self.attention
        let rebuiltIndexes = self.rebuiltIndexes
        return EngineWorker(onIdle: { waker.wake() }) { ids, graph in
            beforeReconcile()
            // Indexes a large batch left out of date are built here, off the loop's thread.
            let graph = graph.map(rebuiltIndexes.bringUpToDate)
            do {
                let transitions = try Reconciler(context: context).reconcile(
                    changed: ids, project: project, current: graph?.graph, indexes: graph?.indexes, historyToCheck: graph?.historyToCheck)
                // Changes the loop saw are checked there; here what this reconcile moved (all on a full pass).
                attention.check(changed: ids == nil ? nil : [], transitions: transitions)
                for transition in transitions {
                    var json = transition.json
                    if case .object(let pairs) = json { json = .object([("event", "engine")] + pairs) }
                    emit(json, "  engine: \(transition.id) \(transition.from.rawValue) → \(transition.to.rawValue) (\(transition.cause))")
                }
                // A full reconcile (start-up, sweeps) reads the whole tree from disk, and one of
                // thousands of tasks (the start-up's gate) copies them: rare enough to pay for
                // handing that memory back.
                if (ids?.count ?? Int.max) > 1024 { HeapTuning.returnFreedMemory() }
            } catch {
                emit(.object([("event", "error"), ("message", .string("\(error)"))]), "error: \(error)")
            }
        }
    }

    // MARK: - The driver's outputs

    /// Feeds `events` to the driver, which answers the reducer's reads from the tree, and does
    /// what comes out, in order.
    func handle(_ events: [WatchEvent], worker: EngineWorker) {
        guard let tree else { return }
        for case .hints(let hints) in events { readServer?.note(hints) }
        // First what this process wrote: its writes are announced before their rename, so any
        // event among `events` that one of them caused is then known as orange's own.
        takeSelfWrites(worker, tree: tree)
        let clock = self.clock
        var large = false
        // Each output is acted on as it comes: the start-up batch's parts go into the graph
        // while the next slices are read.
        driver.handle(events, source: tree, now: { clock.monotonicNanoseconds() }) { output in
            switch output {
            case .graphChanged(let changes) where changes.count > 1024: large = true
            case .actionsAllowed(let keys) where keys.count > 1024: large = true
            default: break
            }
            perform(output, worker: worker)
        }
        // What a batch of thousands of tasks allocated on the way (its reads, its changes, the
        // reducer's slots in flight) is free again: glibc keeps those pages unless asked.
        if large { HeapTuning.returnFreedMemory() }
        endCatchUpCoverIfSettled()
    }

    /// Hands the driver what this process wrote since the last turn (F16).
    private func takeSelfWrites(_ worker: EngineWorker, tree: WatchedTaskTree) {
        let clock = self.clock
        for write in selfWrites.take() {
            for output in driver.recordSelfWrite(
                write.key, record: write.record, hash: write.hash, source: tree, now: { clock.monotonicNanoseconds() })
            {
                perform(output, worker: worker)
            }
        }
    }

    private func perform(_ output: WatchDriver.Output, worker: EngineWorker) {
        switch output {
        case .graphChanged(let changes):
            apply(changes, origin: .file)
            hooks.afterGraphUpdate()
            syncing?.request()
        case .selfWritten(let change):
            apply([change], origin: .engine)
            syncing?.request()
        case .actionsAllowed(let keys):
            // Gates opened before the catch-up was asked for: it decides on those tasks
            // (`notCoveredByCatchUp`), and its full pass, the first, looks at every task for the
            // attention hook; 100,000 lookups here held up the catch-up.
            guard !catchUpCoversEveryGate else { break }
            let ids = keys.compactMap { TaskID(validating: $0.taskID) }
            let due = notCoveredByCatchUp(ids)
            if options.performsActions && !due.isEmpty && graph.changeMayNeedAction(due) {
                worker.request(due, deciding: graphForReconcile())
            }
            // A status an agent wrote (reviewing, stuck) may need a person, whatever it asks of the
            // engine; the tasks the catch-up covers are left to its full pass, which looks at every
            // task for the hook.
            if options.performsActions && !due.isEmpty { attention.check(due, of: graph.tasks) }
        case .diagnostic(let message):
            context.logger.warn("watch", message, [])
            emit(.object([("event", "diagnostic"), ("message", .string(message))]), "! \(message)")
        case .sweepStarted:
            // From disk: the sweep is the backup for whatever the events missed.
            if options.performsActions {
                if pendingSyncs.isEmpty { worker.request(nil, deciding: nil) } else { sweepReconcileOwed = true }
            }
            syncWorkspaceLinks(repairDetached: true)
            gitIndexLocks = gitIndexLockFiles()
        case .resyncStarted:
            // A sync cookie's own event may have been among the lost ones; the resync covers
            // everything written before it, so the syncs waiting on disk are answered once it settles.
            for sync in syncCookiesOnDisk() where options.performsActions && !pendingSyncs.contains(sync) { pendingSyncs.append(sync) }
        case .startUpBatchEnded:
            askForCatchUp(worker)
        case .cookie(let token):
            // A follower (performsActions off) must not answer: a sync means the acting engine is done.
            if options.performsActions, let sync = TaskTreeNames.syncToken(fromCookie: token), !pendingSyncs.contains(sync) {
                pendingSyncs.append(sync)
            }
        }
    }

    /// The engine's graph, for a reconcile to decide on without reading every TASK.md again;
    /// nil (read from disk) when the graph is not the whole truth: `--project` watches one
    /// project while links may cross into others, and an invalid file's last good version is
    /// kept for display but must not be acted on. Indexes a large batch left out of date are
    /// brought up to date by the worker (`RebuiltIndexes`), not here.
    func graphForReconcile() -> IndexedGraph? {
        guard options.project == nil && invalidFiles.isEmpty else { return nil }
        takeRebuiltIndexes()
        return IndexedGraph(graph: graph, indexes: graphIndexes, generation: graphGeneration)
    }

    /// The graph with its indexes, brought up to date (once after a large batch such as the
    /// start-up's, unless the worker did it for this graph; change by change otherwise).
    func indexedGraph() -> IndexedGraph {
        takeRebuiltIndexes()
        graphIndexes.refresh(graph)
        return IndexedGraph(graph: graph, indexes: graphIndexes, generation: graphGeneration)
    }

    /// Takes the indexes the worker built for this very graph, if any (`RebuiltIndexes`); a copy
    /// built for a graph since changed is dropped.
    func takeRebuiltIndexes() {
        guard let built = rebuiltIndexes.take(for: graphGeneration) else { return }
        if !graphIndexes.isCurrent { graphIndexes.take(rebuilt: built) }
    }

    func taskFile(_ key: TaskKey) -> String { TaskFileReader.file(key, tasksRoot: layout.tasksRoot) }

    /// Answers `orange watch sync` once everything before its cookie has been applied. Only a
    /// cookie still on disk is answered (then removed), so a cookie both found by a resync and
    /// reported by its late event is answered once.
    private func finishSyncs(_ worker: EngineWorker) {
        guard !pendingSyncs.isEmpty, driver.isSettled, worker.isIdle, selfWrites.isEmpty else { return }
        for token in pendingSyncs {
            // Answered once: a cookie found by a listing may also arrive as an event.
            _ = context.stores.engineSync.answer(token)
        }
        pendingSyncs.removeAll()
        if sweepReconcileOwed {
            sweepReconcileOwed = false
            worker.request(nil, deciding: nil)
        }
    }

    /// The tokens of the `orange watch sync` cookies present in `tasks/`.
    private func syncCookiesOnDisk() -> [String] { context.stores.engineSync.waitingCookies() }
}
