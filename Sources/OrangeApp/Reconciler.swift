import OrangeCore

/// "Reconcile this set of tasks": the single entry point the CLI calls after its own writes and
/// the watcher calls on events, so the engine behaves the same whoever triggers it.
///
/// It applies due auto-completions (a delegated task whose children are all done becomes done,
/// cascading up), frees the workspace and session of tasks that no longer run an agent
/// (delegated, done, cancelled, failed), and spawns ready tasks into free pool slots, oldest
/// first.
public struct Reconciler: Sendable {
    public var context: AppContext

    public init(context: AppContext) {
        self.context = context
    }

    /// Re-evaluates the part of the graph that `changed` can affect (the whole graph when nil)
    /// and applies what is due. Returns what it changed, in order.
    ///
    /// With `project` (`orange watch --project`), only that project's tasks are acted on: they are
    /// the only ones completed, repaired, released or spawned. The graph is still read whole, so
    /// a link to a task of another project is judged on its real state, never as missing.
    ///
    /// `current` is the engine's graph, kept up to date by inotify: deciding on it spares reading
    /// every TASK.md again for each change (seconds at 100,000 tasks). Every write still goes
    /// through the task's lock and re-checks the file, as it does after a scan; after a step
    /// that wrote, the tree is read from disk. Without it (the CLI), the tree is read first.
    /// `indexes` are `current`'s, kept up to date by the engine: with them the cycle index and
    /// the one-sided links are not computed over the whole graph again. `historyToCheck`: on
    /// `current`, the only tasks whose history may lack a status line (the start-up read looked
    /// at the others'); nil: every task.
    @discardableResult
    public func reconcile(
        changed: [TaskID]?, spawn: Bool = true, project: ProjectName? = nil, current: TaskGraph? = nil, indexes: GraphIndexes? = nil,
        historyToCheck: [TaskID]? = nil
    ) throws -> [EngineTransition] {
        let modes = Dictionary(try context.stores.projects.list().map { ($0.name, $0.modes) }, uniquingKeysWith: { a, _ in a })
        // On the engine's graph, no whole record is built for every task (`tasks` nil): each
        // step picks the few it may act on from the compact records (Reconciler+CatchUp.swift).
        var (tasks, view): ([TaskRecord]?, GraphView) =
            try current.map { (nil, GraphView(graph: $0, cycles: indexes?.cycles)) } ?? readTree()
        view.projectModes = modes
        let inScope = { (task: TaskRecord) in project == nil || task.project == project }
        // Not copied when every task is in scope: a copy of every record costs as much as the
        // rest of a reconcile on a large graph.
        let scoped = { (tasks: [TaskRecord]) in project == nil ? tasks : tasks.filter(inScope) }
        var transitions = try applyCompletions(view, changed: changed, inScope: inScope)
        if !transitions.isEmpty { CrashPoint.reach("reconcile.completed", context) }
        let relinked = try repairLinks(current != nil ? indexes?.linkProblems : nil, view.graph, inScope: inScope)
        let repaired = try Spawner.repairInterrupted(
            scoped(markerCandidates(tasks, graph: view.graph, changed: changed)), context: context)
        // Read again only after a step that changed a status or a link. The later steps change
        // only workspace, session and last_error fields, which spawning does not decide on (it
        // re-reads each task under its lock and reads the pool itself).
        var kept = current == nil ? nil : indexes
        if !transitions.isEmpty || relinked || !repaired.isEmpty {
            (tasks, view) = try readTree()
            view.projectModes = modes
            kept = nil
        }
        if changed == nil {
            // A status written by a process killed before its history line, or by someone other
            // than orange while no engine watched: the line is added.
            try recordStatusesChangedOutside(tasks, graph: view.graph, project: project, only: historyToCheck)
            // Only a working or clarification task can have a dead agent or an orphan claim.
            let agents = agentTasks(tasks, graph: view.graph)
            transitions += try DeadAgents(context: context).handle(scoped(agents).filter(runsHere))
            _ = try OrphanClaims(context: context).giveBack(scoped(agents))
        }
        // The engine's indexes name the few tasks these steps look at; without them, every task.
        try releaseIdle(
            (kept.map { $0.holdingAgentResources.sorted().compactMap { view.task($0) }.filter(inScope) }
                ?? scoped(tasks ?? Array(view.graph.tasks.values))).filter(runsHere))
        if spawn { transitions += try spawnReady(view, inScope: inScope, kept: kept) }
        return transitions
    }

    /// Whether this machine runs `task`'s agent: always without sync; with it, only a task this
    /// machine claimed (its session and workspace are nowhere else).
    private func runsHere(_ task: TaskRecord) -> Bool { ClaimRule.runsHere(task, machine: context.stores.claims.machine) }

    /// The tasks whose spawn marker may be down: every task on a full pass from disk (sweeps,
    /// `watch --once`), else those the markers' list names and the changed ones (the start-up
    /// catch-up on the engine's graph: none), found without a file check per task. A marker
    /// left by an older orange, which has no entry, is repaired by the first sweep.
    private func markerCandidates(_ tasks: [TaskRecord]?, graph: TaskGraph, changed: [TaskID]?) -> [TaskRecord] {
        guard changed != nil || tasks == nil, let marked = context.stores.spawnGuards.markedTasks() else {
            return tasks ?? Array(graph.tasks.values)
        }
        var ids = Set(changed ?? [])
        for task in marked where graph[task.id]?.project == task.project { ids.insert(task.id) }
        return ids.sorted().compactMap { graph[$0] }
    }

    /// Every task, and the graph over them, read from disk. Without bodies: every write here
    /// re-reads its task under the lock, and a spawn reads its task again, whole.
    private func readTree() throws -> ([TaskRecord]?, GraphView) {
        let tasks = try context.stores.tasks.scanWithoutBodies(project: nil).tasks
        return (tasks, GraphView(tasks: tasks))
    }

    private func applyCompletions(_ view: GraphView, changed: [TaskID]?, inScope: (TaskRecord) -> Bool) throws -> [EngineTransition] {
        var transitions: [EngineTransition] = []
        let due = view.dueAutoCompletions(changed: changed)
        for (id, target) in due.completions.map({ ($0, TaskStatus.done) }) + due.reviews.map({ ($0, TaskStatus.reviewing) }) {
            guard let task = view.task(id), inScope(task) else { continue }
            let now = context.clock.now()
            var cause = "all \(view.children(of: id).count) children done"
            if target == .reviewing { cause += "; branch \(task.branch) holds their work for one review" }
            var written: (before: TaskRecord, after: TaskRecord)?
            // Shared tasks: the completion must first win a push, so it happens once whichever
            // machines see the last child done.
            let note = StatusChangeNote(by: .engine, cause: cause, at: now)
            let outcome = try context.stores.claims.transition(
                id, in: task.project, from: [.delegated], to: target, claim: false, note: note
            ) {
                _ in
                written = try context.stores.tasks.update(id, in: task.project, recording: note) { record in
                    // Children only ever move to done, never back, so the decision made from the
                    // scan still holds; the status is re-checked against the file under the lock.
                    guard record.status == .delegated else { return }
                    record.status = target
                    record.updatedAt = now
                }
            }
            guard outcome == .accepted, let (before, after) = written, before.status == .delegated, after.status == target else { continue }
            context.logger.info(
                "engine", target == .done ? "Auto-completed delegated task" : "Delegated task's aggregate ready for review",
                [("task_id", .string(id.rawValue))])
            transitions.append(EngineTransition(id: id, project: task.project, from: .delegated, to: target, cause: cause))
        }
        return transitions
    }

    /// Tasks that hold a workspace or a session but no longer run an agent give them back. A
    /// workspace with uncommitted work is kept, and the task says why.
    private func releaseIdle(_ tasks: [TaskRecord]) throws {
        let idle = tasks.filter {
            [.delegated, .done, .cancelled, .failed, .pending].contains($0.status) && ($0.workspace != nil || $0.tmuxSession != nil)
        }
        guard !idle.isEmpty else { return }
        let projects = try context.stores.projects.list()
        for task in idle {
            if task.tmuxSession != nil { CrashPoint.reach("reconcile.released", context) }
            try stopAgent(task, project: projects.first { $0.name == task.project }, force: false)
        }
    }

    private func spawnReady(_ view: GraphView, inScope: (TaskRecord) -> Bool, kept: GraphIndexes?) throws -> [EngineTransition] {
        let projects = try context.stores.projects.list()
        let modes = Dictionary(projects.map { ($0.name, $0.modes) }, uniquingKeysWith: { a, _ in a })
        let modesOf = { (name: ProjectName) in modes[name] ?? ProjectModes() }
        let turns = view.graph.dueReassessments(modes: modesOf, delegated: kept?.delegated).filter {
            view.task($0.parent).map(inScope) ?? false
        }
        guard kept.map({ !$0.readyGroups.isEmpty }) ?? true || !turns.isEmpty else { return [] }
        let spawner = Spawner(context: context)
        let harnesses = try context.harnesses()
        let now = context.clock.now()
        // Why a task cannot start depends only on its project and harness: asked once per pair,
        // not once per ready task (each asks PATH for tmux and the harness: thousands of
        // `stat`s per reconcile with thousands of ready tasks).
        var cannotStart: [String: String?] = [:]
        var last: (project: ProjectName, harness: String, why: String?)?
        func whyNot(_ task: TaskRecord) -> String? {
            // Nearly every task shares the previous one's pair: compared, not hashed.
            if let last, last.project == task.project, last.harness == task.harness { return last.why }
            let pair = task.project.rawValue + "\u{0}" + task.harness
            let why = cannotStart[pair] ?? spawner.cannotStart(task, projects: projects, harnesses: harnesses)
            cannotStart[pair] = why
            last = (task.project, task.harness, why)
            return why
        }
        // With the engine's groups, only the ready tasks that may start or whose `last_error`
        // does not say yet why they cannot; the others would be skipped by `noteNotStarted`.
        let ready =
            kept.map { readyToLookAt($0, view: view, inScope: inScope, whyNot: whyNot) }
            ?? view.graph.readyTasks(cycles: view.cycles).compactMap { view.task($0) }.filter(inScope)
        guard !ready.isEmpty || !turns.isEmpty else { return [] }
        var startable: [TaskRecord] = []
        for task in ready {
            if let due = task.spawnRetryAt, due > now { continue }
            if let reason = whyNot(task) {
                try noteNotStarted(task, reason)
                continue
            }
            startable.append(task)
        }
        let startableTurns = turns.filter { turn in
            let parent = view.task(turn.parent)!
            if let due = parent.spawnRetryAt, due > now { return false }
            return spawner.cannotStart(parent, projects: projects, harnesses: harnesses) == nil
        }
        let pool = try context.stores.pool.read()
        var free: [ProjectName: Int] = [:]
        for project in projects { free[project.name] = pool.freeCount(of: project.name, poolSize: project.poolSize) }
        let plan = SpawnPlanner.plan(ready: startable, freeSlots: free, graph: view.graph, modes: modesOf, reassess: startableTurns)
        var transitions: [EngineTransition] = []
        for turn in plan.reassess {
            let parent = view.task(turn.parent)!
            let cause = "reassess after " + turn.finished.map(\.rawValue).joined(separator: ", ")
            switch try spawner.spawn(turn.parent, reassess: turn) {
            case .spawned(let workspace, _):
                transitions.append(
                    EngineTransition(
                        id: turn.parent, project: parent.project, from: .delegated, to: .working, cause: "\(cause); spawned in \(workspace)"
                    ))
            case .skipped(let reason):
                context.logger.info(
                    "engine", "Reassess turn not started", [("task_id", .string(turn.parent.rawValue)), ("reason", .string(reason))])
            case .failed(let reason, let taskFailed):
                context.console.diagnostics("warning: the reassess turn of \(turn.parent) failed to start: \(reason)\n")
                if taskFailed {
                    transitions.append(
                        EngineTransition(
                            id: turn.parent, project: parent.project, from: .delegated, to: .failed, cause: "spawn failed twice: \(reason)")
                    )
                }
            }
        }
        for id in plan.spawn {
            let task = view.task(id)!
            switch try spawner.spawn(id) {
            case .spawned(let workspace, _):
                transitions.append(
                    EngineTransition(id: id, project: task.project, from: .pending, to: .working, cause: "ready; spawned in \(workspace)"))
            case .skipped(let reason):
                context.logger.info("engine", "Ready task not spawned", [("task_id", .string(id.rawValue)), ("reason", .string(reason))])
            case .failed(let reason, let taskFailed):
                context.console.diagnostics("warning: spawning \(id) failed: \(reason)\n")
                if taskFailed {
                    transitions.append(
                        EngineTransition(id: id, project: task.project, from: .pending, to: .failed, cause: "spawn failed twice: \(reason)")
                    )
                }
            }
        }
        return transitions
    }

    /// Says once per task and cause why a ready task was not started: the reason goes to the
    /// task's `last_error` (shown by `task show` and `task why`), and a warning is printed and
    /// logged only when that changes, not at every reconcile and sweep.
    private func noteNotStarted(_ task: TaskRecord, _ reason: String) throws {
        // Already noted as read: no lock and no read of the file. Thousands of ready tasks that
        // cannot start (no agent installed) otherwise cost every reconcile a locked read each.
        if task.lastError == reason { return }
        var changed = false
        try context.stores.tasks.update(task.id, in: task.project) { record in
            if record.lastError != reason {
                record.lastError = reason
                changed = true
            }
        }
        guard changed else { return }
        context.console.diagnostics("warning: ready task \(task.id) not started: \(reason)\n")
        context.logger.warn("engine", "Ready task not started", [("task_id", .string(task.id.rawValue)), ("reason", .string(reason))])
    }

    /// A child names its parent but the parent's `children` lacks it: the parent's write was
    /// lost (orange stopped between the two writes). The child's side is the one written first,
    /// so it is the truth; append it to the parent.
    /// Returns whether it wrote anything.
    private func repairLinks(_ known: [LinkProblem]?, _ graph: TaskGraph, inScope: (TaskRecord) -> Bool) throws -> Bool {
        var wrote = false
        for problem in known ?? graph.linkProblems() {
            guard case .missingFromParent(let child, let parent) = problem,
                let record = graph[parent], inScope(record)
            else { continue }
            try Self.addMissingChild(child, to: parent, in: record.project, context: context)
            wrote = true
            context.logger.warn(
                "engine", "Repaired a parent/child link written on one side",
                [("parent", .string(parent.rawValue)), ("child", .string(child.rawValue))])
        }
        return wrote
    }

    /// The repair of a one-sided link, shared with `orange doctor --fix`: appends `child` to the
    /// parent's children under the parent's lock, inside the project's graph lock like every
    /// other edge write (so it never lands between a create's check and its write). Returns
    /// whether the file changed.
    @discardableResult
    static func addMissingChild(_ child: TaskID, to parent: TaskID, in project: ProjectName, context: AppContext) throws -> Bool {
        let (before, after) = try context.stores.tasks.withGraphLock(of: project) {
            try context.stores.tasks.update(parent, in: project) { parent in
                if !parent.children.contains(child) { parent.children.append(child) }
            }
        }
        return before != after
    }
}
