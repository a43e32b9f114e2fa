import Glibc
import OrangeCore
import OrangeSystem

/// A status change orange made on its own, with the reason, for output and `--json`.
public struct EngineTransition: Sendable, Equatable {
    public var id: TaskID
    public var project: ProjectName
    public var from: TaskStatus
    public var to: TaskStatus
    public var cause: String

    public var line: String { "  \(id)  \(from.rawValue) → \(to.rawValue)  (\(cause))" }

    public var json: JSONValue {
        .object([
            ("id", .string(id.rawValue)), ("project", .string(project.rawValue)),
            ("from", .string(from.rawValue)), ("to", .string(to.rawValue)), ("cause", .string(cause)),
        ])
    }
}

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
    @discardableResult
    public func reconcile(
        changed: [TaskID]?, spawn: Bool = true, project: ProjectName? = nil, current: TaskGraph? = nil
    ) throws -> [EngineTransition] {
        var (tasks, view) = try current.map { (Array($0.tasks.values), GraphView(graph: $0)) } ?? readTree()
        let inScope = { (task: TaskRecord) in project == nil || task.project == project }
        var transitions = try applyCompletions(view, changed: changed, inScope: inScope)
        if !transitions.isEmpty { CrashPoint.reach("reconcile.completed", context) }
        let relinked = try repairLinks(view.graph, inScope: inScope)
        let repaired = try Spawner.repairInterrupted(tasks.filter(inScope), context: context)
        // Read again only after a step that changed a status or a link. The later steps change
        // only workspace, session and last_error fields, which spawning does not decide on (it
        // re-reads each task under its lock and reads the pool itself).
        if !transitions.isEmpty || relinked || !repaired.isEmpty { (tasks, view) = try readTree() }
        if changed == nil { try markDeadAgents(tasks.filter(inScope)) }
        let sessions = try releaseIdle(tasks.filter(inScope))
        if spawn { transitions += try spawnReady(view, inScope: inScope) }
        // Last, because the caller may be running inside one of these sessions (an agent that
        // just delegated): ending it ends this process too. The task names its session until the
        // session is gone, so a process killed in between leaves a session a later pass ends,
        // never one that no task knows about.
        if !sessions.isEmpty { CrashPoint.reach("reconcile.released", context) }
        for (task, session) in sessions {
            // The caller's own session (an agent that just delegated): its end hangs up this
            // process's terminal, which must not stop it before the task forgets the session.
            if context.environment["ORANGE_TASK_ID"] == task.id.rawValue { signal(SIGHUP, SIG_IGN) }
            if context.tmux.hasSession(session) { try? context.tmux.killSession(session) }
            guard !context.tmux.hasSession(session) else { continue }
            try context.tasks.update(task.id, in: task.project) { record in
                if record.tmuxSession == session { record.tmuxSession = nil }
            }
        }
        return transitions
    }

    /// Every task, and the graph over them, read from disk.
    private func readTree() throws -> ([TaskRecord], GraphView) {
        let tasks = try context.tasks.scan(project: nil).tasks
        return (tasks, GraphView(tasks: tasks))
    }

    private func applyCompletions(_ view: GraphView, changed: [TaskID]?, inScope: (TaskRecord) -> Bool) throws -> [EngineTransition] {
        var transitions: [EngineTransition] = []
        for id in view.dueAutoCompletions(changed: changed) {
            guard let task = view.task(id), inScope(task) else { continue }
            let now = context.clock.now()
            let (before, after) = try context.tasks.update(id, in: task.project) { record in
                // Children only ever move to done, never back, so the decision made from the
                // scan still holds; the status is re-checked against the file under the lock.
                guard record.status == .delegated else { return }
                record.status = .done
                record.updatedAt = now
            }
            guard before.status == .delegated, after.status == .done else { continue }
            let cause = "all \(view.children(of: id).count) children done"
            try context.tasks.appendHistory(
                .statusChanged(from: .delegated, to: .done, by: .engine, cause: cause, at: now), for: id, in: task.project)
            context.logger.info("engine", "Auto-completed delegated task", [("task_id", .string(id.rawValue))])
            transitions.append(EngineTransition(id: id, project: task.project, from: .delegated, to: .done, cause: cause))
        }
        return transitions
    }

    /// Tasks that hold a workspace or a session but no longer run an agent give them back. A
    /// workspace with uncommitted work is kept, and the task says why.
    /// Returns the sessions to end once everything else is done; each stays recorded on its task
    /// until it is ended.
    private func releaseIdle(_ tasks: [TaskRecord]) throws -> [(TaskRecord, String)] {
        let projects = try context.projects.list()
        var sessions: [(TaskRecord, String)] = []
        let now = context.clock.now()
        for task in tasks where [.delegated, .done, .cancelled, .failed, .pending].contains(task.status) && (task.workspace != nil || task.tmuxSession != nil) {
            // An agent that just reported (say, `--status delegated`) may still be running that very
            // command, spawning its sub-tasks: its session is ended by its own command, or by a
            // later pass once the agent has exited, not under its feet by another process.
            var keepSession = false
            if let session = task.tmuxSession, context.environment["ORANGE_TASK_ID"] != task.id.rawValue,
               context.tmux.isPaneDead(session) == false,
               let updated = task.updatedAt, now.millisecondsSinceEpoch - updated.millisecondsSinceEpoch < 10_000 {
                keepSession = true
            }
            try stopAgent(task, project: projects.first { $0.name == task.project }, force: false, endSessionNow: false, keepSession: true)
            if let session = task.tmuxSession, !keepSession { sessions.append((task, session)) }
        }
        return sessions
    }

    /// Releases the task's workspace and ends its session (now, or left to the caller);
    /// a workspace that cannot be released stays bound and the task says why.
    func stopAgent(_ task: TaskRecord, project: Project?, force: Bool, endSessionNow: Bool = true, keepSession: Bool = false) throws {
        if endSessionNow, let session = task.tmuxSession, context.tmux.hasSession(session) {
            try? context.tmux.killSession(session)
        }
        var releaseError: String?
        if let workspace = task.workspace {
            do {
                try Workspaces(context: context).release(workspace, task: task, project: project, force: force)
            } catch {
                releaseError = "\(error)"
            }
        }
        if task.workspace != nil && releaseError == nil { CrashPoint.reach("release.unbound", context) }
        let now = context.clock.now()
        // Written only when something changed: the watcher sees every write, and a retry that
        // rewrote the same failure would wake it again and again.
        try context.tasks.update(task.id, in: task.project) { record in
            let before = record
            if !keepSession { record.tmuxSession = nil }
            if let releaseError {
                record.lastError = releaseError
            } else {
                record.workspace = nil
            }
            if record != before { record.updatedAt = now }
        }
        if let releaseError {
            context.diagnostics("warning: task \(task.id): \(releaseError)\n")
        } else if task.workspace != nil {
            try context.tasks.appendHistory(
                HistoryEvent(type: "workspace.released", timestamp: now, fields: [("workspace", .optional(task.workspace))]),
                for: task.id, in: task.project)
        }
    }

    /// Spawns ready tasks into the free slots of their projects, oldest first.
    private func spawnReady(_ view: GraphView, inScope: (TaskRecord) -> Bool) throws -> [EngineTransition] {
        let ready = view.graph.readyTasks(cycles: view.cycles).compactMap { view.task($0) }.filter(inScope)
        guard !ready.isEmpty else { return [] }
        let projects = try context.projects.list()
        let pool = try context.pool.read()
        var free: [ProjectName: Int] = [:]
        for project in projects { free[project.name] = pool.freeCount(of: project.name, poolSize: project.poolSize) }
        var transitions: [EngineTransition] = []
        for id in SpawnPlanner.plan(ready: ready, freeSlots: free) {
            let task = view.task(id)!
            switch try Spawner(context: context).spawn(id) {
            case .spawned(let workspace, _):
                transitions.append(EngineTransition(id: id, project: task.project, from: .pending, to: .working, cause: "ready; spawned in \(workspace)"))
            case .skipped(let reason):
                context.logger.info("engine", "Ready task not spawned", [("task_id", .string(id.rawValue)), ("reason", .string(reason))])
                if reason.contains("not installed") || reason.contains("unknown harness") {
                    context.diagnostics("warning: ready task \(id) not started: \(reason)\n")
                    // Shown by `task show`; written only when it changes, so retries stay quiet.
                    try context.tasks.update(id, in: task.project) { record in
                        if record.lastError != reason { record.lastError = reason }
                    }
                }
            case .failed(let reason, let taskFailed):
                context.diagnostics("warning: spawning \(id) failed: \(reason)\n")
                if taskFailed {
                    transitions.append(EngineTransition(id: id, project: task.project, from: .pending, to: .failed, cause: "spawn failed twice: \(reason)"))
                }
            }
        }
        return transitions
    }

    /// A child names its parent but the parent's `children` lacks it: the parent's write was
    /// lost (orange stopped between the two writes). The child's side is the one written first,
    /// so it is the truth; append it to the parent.
    /// Returns whether it wrote anything.
    private func repairLinks(_ graph: TaskGraph, inScope: (TaskRecord) -> Bool) throws -> Bool {
        var wrote = false
        for problem in graph.linkProblems() {
            guard case .missingFromParent(let child, let parent) = problem,
                  let record = graph[parent], inScope(record) else { continue }
            try Self.addMissingChild(child, to: parent, in: record.project, context: context)
            wrote = true
            context.logger.warn("engine", "Repaired a parent/child link written on one side", [("parent", .string(parent.rawValue)), ("child", .string(child.rawValue))])
        }
        return wrote
    }

    /// The repair of a one-sided link, shared with `orange doctor --fix`: appends `child` to the
    /// parent's children under the parent's lock, inside the project's graph lock like every
    /// other edge write (so it never lands between a create's check and its write). Returns
    /// whether the file changed.
    @discardableResult
    static func addMissingChild(_ child: TaskID, to parent: TaskID, in project: ProjectName, context: AppContext) throws -> Bool {
        let (before, after) = try context.tasks.withGraphLock(of: project) {
            try context.tasks.update(parent, in: project) { parent in
                if !parent.children.contains(child) { parent.children.append(child) }
            }
        }
        return before != after
    }

    /// Health check (full passes only): a task whose agent should be working but whose session
    /// is gone or whose program has exited is marked on the task, never silently left or lost.
    private func markDeadAgents(_ tasks: [TaskRecord]) throws {
        for task in tasks where [.working, .clarification].contains(task.status) {
            guard let session = task.tmuxSession, context.environment["ORANGE_TASK_ID"] != task.id.rawValue,
                  !FileSystem.fileExists(DataDirectory(home: context.home).spawnMarkerFile(task.id, in: task.project))
            else { continue }
            let gone = !context.tmux.hasSession(session)
            guard gone || context.tmux.isPaneDead(session) == true else { continue }
            let note = "agent session \(session) \(gone ? "is gone" : "has exited") while the task is \(task.status.rawValue); start a new one with 'orange task respawn \(task.id)'"
            var changed = false
            try context.tasks.update(task.id, in: task.project) { record in
                if record.lastError != note && record.tmuxSession == session && record.status == task.status {
                    record.lastError = note
                    changed = true
                }
            }
            if changed {
                context.diagnostics("warning: task \(task.id): \(note)\n")
                context.logger.warn("engine", "Agent session ended while working", [("task_id", .string(task.id.rawValue)), ("session", .string(session))])
            }
        }
    }
}
