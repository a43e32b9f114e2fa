import Dispatch
import OrangeCore
import Synchronization

/// Runs the notification hook of `config.json` when a task needs a person (`Attention`). The
/// engine calls it after each reconcile, so a change made by an agent's own command is seen as
/// well as the engine's own transitions.
///
/// Once per task and event: the `attention.notified` line is written to the task's history
/// before the hook runs, and a line already answered is never notified again, whichever engine
/// (or restart) looks. A crash between the line and the hook loses that one notification rather
/// than repeating it.
final class AttentionNotifier: Sendable {
    let context: AppContext
    /// Run hooks in the background (the long-running engine) or before returning (`watch --once`).
    let inBackground: Bool
    private let queue: DispatchQueue
    private static let onQueue = DispatchSpecificKey<Bool>()
    /// Per task, the status and update time last judged: an unchanged task is not read again.
    private let judged = Mutex<[TaskID: String]>([:])
    private let caughtUp = Mutex(false)
    private let warned = Mutex<Set<String>>([])

    init(context: AppContext, inBackground: Bool = true) {
        self.context = context
        self.inBackground = inBackground
        queue = DispatchQueue(label: "orange.engine.attention")
        queue.setSpecific(key: Self.onQueue, value: true)
    }

    /// Looks at the tasks a reconcile may have changed: `changed` and the ones `transitions`
    /// moved; on the first full pass (`changed` nil), every task, to catch up on what happened
    /// while no engine ran.
    ///
    /// Checks and hooks run one at a time on the notifier's own queue, whoever asks (the loop
    /// for a status an agent wrote, the worker for its transitions), so two askers cannot both
    /// find the same line unanswered.
    func check(changed: [TaskID]?, transitions: [EngineTransition]) {
        enqueue { self.checkNow(changed: changed, transitions: transitions) }
    }

    /// Looks at the tasks `ids` of `tasks` (the engine's own, for a change it saw) whose status
    /// may need a person. Their records are built on the notifier's queue, and only when a hook
    /// is configured: the start-up's gates open for every task at once, and building the done
    /// third of 100,000 tasks whole added 25 MB to the engine's peak (docs/performance.md).
    func check(_ ids: [TaskID], of tasks: TaskTable) {
        enqueue {
            guard let hook = self.loadHook() else { return }
            let candidates = ids.compactMap { id in
                tasks.compact(id).flatMap { Attention.mayNeedAPerson($0.status) ? $0.record : nil }
            }
            self.judge(candidates, hook: hook)
        }
    }

    private func enqueue(_ work: @escaping @Sendable () -> Void) {
        if inBackground { queue.async(execute: work) } else { queue.sync(execute: work) }
    }

    private func checkNow(changed: [TaskID]?, transitions: [EngineTransition]) {
        guard let hook = loadHook() else { return }
        var tasks: [TaskRecord] = []
        if changed == nil,
            !caughtUp.withLock({
                let was = $0; $0 = true; return was
            })
        {
            tasks = (try? context.stores.tasks.scan(project: nil).tasks) ?? []
        } else {
            for id in Set((changed ?? []) + transitions.map(\.id)) {
                if let task = (try? context.stores.tasks.find(id)) ?? nil { tasks.append(task) }
            }
        }
        judge(tasks, hook: hook)
    }

    private func judge(_ tasks: [TaskRecord], hook: NotifyHook) {
        for task in tasks where Attention.mayNeedAPerson(task.status) {
            let key = task.status.rawValue + " " + (task.updatedAt?.rfc3339 ?? "")
            guard judged.withLock({ $0.updateValue(key, forKey: task.id) }) != key else { continue }
            guard let history = try? context.stores.tasks.history(of: task.id, in: task.project),
                let due = Attention.due(in: history)
            else { continue }
            notify(task, event: due.event, hook: hook, message: task.lastError)
        }
    }

    /// Notifies `event` for `task` if its history calls for it and it was not notified yet: for
    /// a caller that has just written the event's line itself (`pr.merged`, `pr.closed`).
    func notify(_ task: TaskRecord, event: String, message: String? = nil) {
        enqueue {
            guard let hook = self.loadHook(), let history = try? self.context.stores.tasks.history(of: task.id, in: task.project),
                Attention.due(in: history)?.event == event
            else { return }
            self.notify(task, event: event, hook: hook, message: message)
        }
    }

    /// An event of the engine itself (no task): notified once per call.
    func notifyEngine(event: String, message: String) {
        guard let hook = loadHook(), hook.wants(event) else { return }
        run(hook, values: ["event": event, "message": message, "description": message, "time": context.clock.now().rfc3339])
    }

    /// Blocks until every hook started so far has finished (tests, `watch --once`).
    func waitForHooks() { queue.sync {} }

    private func notify(_ task: TaskRecord, event: String, hook: NotifyHook, message: String?) {
        // Not recorded when the hook cannot run: once it is installed, what is still due is sent.
        guard hook.wants(event), isInstalled(hook) else { return }
        let now = context.clock.now()
        do {
            try context.stores.tasks.appendHistory(
                HistoryEvent(type: Attention.notifiedType, timestamp: now, fields: [("event", .string(event))]), for: task.id,
                in: task.project)
        } catch {
            context.logger.warn("notify", "Could not record a notification; not sent", [("task_id", .string(task.id.rawValue))])
            return
        }
        run(
            hook,
            values: [
                "id": task.id.rawValue, "project": task.project.rawValue, "branch": task.branch, "status": task.status.rawValue,
                "event": event, "description": task.description, "pr_url": task.prURL ?? "", "message": message ?? "",
                "time": now.rfc3339,
            ])
    }

    private func run(_ hook: NotifyHook, values: [String: String]) {
        let argv = hook.argv(values)
        guard isInstalled(hook) else { return }
        let (runner, logger) = (context.processes.runner, context.logger)
        let work: @Sendable () -> Void = {
            do {
                let result = try runner.run(argv, environment: [:], input: nil, timeoutSeconds: hook.timeoutSeconds)
                if result.succeeded {
                    logger.info(
                        "notify", "Notified", [("event", .string(values["event"] ?? "")), ("task_id", .string(values["id"] ?? ""))])
                } else {
                    logger.warn("notify", "The notification hook failed", [("error", .string(ProcessError.failed(result).description))])
                }
            } catch {
                logger.warn("notify", "The notification hook could not run", [("error", .string("\(error)"))])
            }
        }
        // Already on the queue when called from a check; an engine event is queued behind them.
        if DispatchQueue.getSpecific(key: Self.onQueue) == true { work() } else { queue.async(execute: work) }
    }

    /// Whether the hook's program exists (on PATH, or at its path); said once when it does not.
    private func isInstalled(_ hook: NotifyHook) -> Bool {
        let program = hook.command[0]
        let found =
            program.contains("/")
            ? context.realPath(program) != nil
            : context.processes.locateProgram(program, context.environment["PATH"] ?? "/usr/bin:/bin") != nil
        if !found, warned.withLock({ $0.insert(program).inserted }) {
            context.logger.warn("notify", "The notification hook's program is not installed", [("program", .string(program))])
            context.console.diagnostics("warning: the notification hook's program '\(program)' is not found; nothing is notified\n")
        }
        return found
    }

    /// The hook, read from `config.json` at each use (a change applies without a restart); nil
    /// when there is none or the file is invalid (said once).
    private func loadHook() -> NotifyHook? {
        let path = context.layout.configFile
        guard let text = context.readFile(path) else { return nil }
        do {
            return try NotifyHook.parse(try JSONValue.parse(text), file: path)
        } catch {
            if warned.withLock({ $0.insert("config").inserted }) {
                context.logger.warn("notify", "config.json has an invalid notification hook", [("error", .string("\(error)"))])
            }
            return nil
        }
    }
}
