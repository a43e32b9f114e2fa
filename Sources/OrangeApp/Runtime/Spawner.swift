import OrangeCore

/// Starts an agent for a task: claim it, bind a worktree, check out its branch, start the
/// harness in a tmux session, record where it runs.
///
/// **Exactly once**: the claim is the move from `pending` to `working`, made under the task's
/// lock, so of two spawners racing on one task (CLI, engine, dashboard) only one gets past it.
/// **No loops**: a failed spawn is rolled back completely (session, workspace, status) and
/// counted on the task; the second failure in a row makes the task `failed` (the original
/// retried forever, B1).
struct Spawner {
    let context: AppContext
    static let maximumFailures = 2
    /// How long the engine waits before it tries a failed spawn again.
    static let retryDelayMilliseconds: Int64 = 10_000
    static let reassessMarkerPrefix = "reassess "

    enum Outcome: Equatable {
        case spawned(workspace: String, session: String)
        /// Not spawned and nothing changed: not pending any more, no free slot, no tmux.
        case skipped(String)
        /// Rolled back; the task is pending again (or failed after repeated failures).
        case failed(String, taskFailed: Bool)
    }

    /// `reassess`: the turn of a sequential parent whose child is done: claimed from `delegated`,
    /// started fresh with a prompt naming the finished child and the children left.
    func spawn(_ id: TaskID, respawn: Bool = false, reassess: ReassessTurn? = nil) throws -> Outcome {
        // Gone since the caller saw it (deleted, or rewritten by a `git pull` this moment): not
        // started, and the other ready tasks of the same pass still are. A task that comes back
        // is seen again by the engine.
        guard let task = try context.stores.tasks.find(id) else { return .skipped("its TASK.md is gone (deleted, or being replaced)") }
        let (projects, harnesses) = try (context.stores.projects.list(), context.harnesses())
        if let reason = cannotStart(task, projects: projects, harnesses: harnesses) { return .skipped(reason) }
        let project = projects.first { $0.name == task.project }!
        let harness = harnesses.first { $0.name == task.harness }!
        let session = SessionName.forTask(project: task.project, branch: task.branch, id: task.id)
        do {
            return try context.stores.spawnGuards.withSpawnLock(id, in: task.project, timeoutSeconds: 0) {
                try spawnLocked(task, project: project, harness: harness, session: session, respawn: respawn, reassess: reassess)
            }
        } catch is SpawnLockBusy {
            return .skipped("another spawn of this task is in progress")
        }
    }

    /// Why the task's agent cannot be started on this machine now, whatever the pool: its project
    /// is not registered, tmux or its harness is missing. Nil when it can. Checked before slots are
    /// handed out, so a task that cannot start never takes another's turn.
    func cannotStart(_ task: TaskRecord, projects: [Project], harnesses: [Harness]) -> String? {
        guard projects.contains(where: { $0.name == task.project }) else { return "project '\(task.project)' is not registered" }
        guard context.processes.isInstalled("tmux") else { return "tmux is not installed (apt-get install tmux)" }
        guard let harness = harnesses.first(where: { $0.name == task.harness }) else {
            return "unknown harness '\(task.harness)' (built-in: claude, pi, codex, opencode; others go in \(context.home)/config.json)"
        }
        guard context.processes.isInstalled(harness.binary) else {
            return "harness '\(harness.name)' is not installed ('\(harness.binary)' is not on PATH)"
        }
        return nil
    }

    /// The spawn proper, under the task's spawn lock. A `.spawning` marker lives from the claim to
    /// the end; a marker with no lock holder means a spawner died half way (`repairInterrupted`).
    private func spawnLocked(
        _ task: TaskRecord, project: Project, harness: Harness, session: String, respawn: Bool, reassess: ReassessTurn?
    ) throws -> Outcome {
        let id = task.id
        let guards = context.stores.spawnGuards

        // The marker goes down before the claim: every step after it, the claim included, is
        // then undone by `repairInterrupted` if this process dies.
        // A reassess turn's marker names it and its children, so a repair gives the parent back
        // its `delegated` (and the turn) instead of making it pending.
        let note = reassess.map { Self.reassessMarkerPrefix + $0.finished.map(\.rawValue).joined(separator: " ") + "\n" } ?? ""
        try guards.placeMarker(id, in: task.project, note: note)
        defer { try? guards.removeMarker(id, in: task.project) }
        CrashPoint.reach("spawn.marked", context)

        // The claim.
        let now = context.clock.now()
        let from: TaskStatus
        do {
            let cause =
                reassess.map { "reassess after " + $0.finished.map(\.rawValue).joined(separator: ", ") }
                ?? (respawn ? "respawned" : "spawned")
            // Shared tasks (`orange sync`): the claim must first win a push, so no other machine
            // starts this task too; `write` runs only then.
            let expected: Set<TaskStatus> = reassess != nil ? [.delegated] : respawn ? [task.status] : [.pending]
            var before: TaskRecord?
            let note = StatusChangeNote(by: .engine, cause: cause, at: now)
            let outcome = try context.stores.claims.transition(id, in: task.project, from: expected, to: .working, claim: true, note: note)
            {
                stamp in
                (before, _) = try context.stores.tasks.update(id, in: task.project, recording: note) { record in
                    if let reassess {
                        guard record.status == .delegated else { throw SkipSpawn("task is \(record.status.rawValue), not delegated") }
                        guard reassess.finished.contains(where: { !record.reassessed.contains($0) }) else {
                            throw SkipSpawn("already reassessed")
                        }
                    } else if respawn {
                        guard record.status != .pending, !record.status.isTerminal || record.status == .failed,
                            record.status != .delegated
                        else { throw SkipSpawn("task is \(record.status.rawValue)") }
                        guard
                            record.tmuxSession == nil || !context.processes.tmux.hasSession(record.tmuxSession!)
                                || context.processes.tmux.isPaneDead(record.tmuxSession!) == true
                        else {
                            throw SkipSpawn("its session is still running; attach with 'orange task attach \(id)'")
                        }
                    } else {
                        guard record.status == .pending else { throw SkipSpawn("task is \(record.status.rawValue), not pending") }
                        guard record.blockedBy == task.blockedBy else { throw SkipSpawn("its blockers changed") }
                        // A hold set after the caller read the task (a person's `task hold`) wins.
                        guard record.hold == nil else { throw SkipSpawn("it is held") }
                    }
                    record.status = .working
                    record.updatedAt = now
                    if let stamp { record.setClaim(stamp) }
                }
            }
            guard case .accepted = outcome, let before else {
                if case .refused(let reason) = outcome { return .skipped(reason) }
                return .skipped("not claimed")
            }
            from = before.status
        } catch let skip as SkipSpawn {
            return .skipped(skip.reason)
        }
        CrashPoint.reach("spawn.claimed", context)

        var workspace = task.workspace
        var sessionStarted = false
        do {
            if workspace == nil {
                guard let acquired = try Workspaces(context: context).acquire(for: task, project: project) else {
                    try undoClaim(task, from: from, at: now)
                    return .skipped("no free workspace in project '\(project.name)' (pool size \(project.poolSize))")
                }
                workspace = acquired
            }
            CrashPoint.reach("spawn.bound", context)
            try Workspaces(context: context).prepare(workspace!, for: task, project: project, harness: harness)
            // Once per binding: a worktree this task already held was set up when it was bound.
            if let setup = project.setup, task.workspace == nil {
                try WorktreeSetupRunner(context: context).run(
                    setup, for: task, project: project, workspacePath: context.workspacePath(workspace!))
            }
            CrashPoint.reach("spawn.prepared", context)
            // A session of this task's own (its name holds the task's id) left by an earlier
            // agent of it is ended, with all its processes, before the new agent starts.
            for stale in Set([task.tmuxSession, session].compactMap { $0 }) where context.processes.tmux.hasSession(stale) {
                guard AgentSessions(context: context).end(stale) else {
                    throw OrangeError("the earlier session \(stale) of this task still runs processes that would not exit")
                }
            }
            let path = context.workspacePath(workspace!)
            let prompt =
                try reassess.map { try ReassessPrompt(context: context).text(for: task, turn: $0, workspacePath: path) }
                ?? (respawn ? Harnesses.respawnPrompt(for: task) : Harnesses.spawnPrompt(for: task))
            let command = try agentCommand(
                harness.command(
                    respawn: respawn && reassess == nil,
                    values: HarnessValues(prompt: prompt, taskFile: path + "/TASK.md", taskID: id.rawValue, workspace: path)),
                for: task)
            // Recorded before the agent starts: its first `orange task create` finds its task
            // (and so its parent-to-be) through this binding.
            try context.stores.tasks.update(id, in: task.project) { record in
                record.workspace = workspace
                record.tmuxSession = session
                // The turn is given once per finished child, whatever happens to this agent.
                for child in reassess?.finished ?? [] where !record.reassessed.contains(child) { record.reassessed.append(child) }
            }
            CrashPoint.reach("spawn.recorded", context)
            try context.processes.tmux.newSession(session, directory: path, command: command.argv, environment: command.environment)
            sessionStarted = true
            CrashPoint.reach("spawn.started", context)
            try context.stores.tasks.update(id, in: task.project) { record in
                record.spawnFailures = 0
                record.spawnRetryAt = nil
                record.lastError = nil
            }
            try context.stores.tasks.appendHistory(
                HistoryEvent(
                    type: "agent.spawned", timestamp: now,
                    fields: [
                        ("workspace", .string(workspace!)), ("tmux_session", .string(session)), ("harness", .string(harness.name)),
                    ]), for: id, in: task.project)
            CrashPoint.reach("spawn.finished", context)
            context.logger.info(
                "spawn", "Agent spawned",
                [("task_id", .string(id.rawValue)), ("workspace", .string(workspace!)), ("session", .string(session))])
            return .spawned(workspace: workspace!, session: session)
        } catch {
            let reason = "\(error)"
            if sessionStarted { try? context.processes.tmux.killSession(session) }
            if let workspace, task.workspace == nil {
                do { try Workspaces(context: context).release(workspace, task: task, project: project, force: true) } catch {
                    context.logger.error(
                        "spawn", "Rollback could not release the workspace",
                        [("workspace", .string(workspace)), ("error", .string("\(error)"))])
                }
            }
            let failed = try recordFailure(task, from: from, reason: reason, at: now, turn: reassess)
            return .failed(reason, taskFailed: failed)
        }
    }

    /// Finds claims left by a spawner that died half way (its `.spawning` marker is there but no
    /// one holds the spawn lock) and puts the task back: session ended, workspace freed, pending.
    static func repairInterrupted(_ tasks: [TaskRecord], context: AppContext) throws -> [TaskID] {
        let guards = context.stores.spawnGuards
        var repaired: [TaskID] = []
        for task in tasks where guards.marker(task.id, in: task.project) != nil {
            do {
                try guards.withSpawnLock(task.id, in: task.project, timeoutSeconds: 0) {
                    guard let markerText = guards.marker(task.id, in: task.project) else { return }
                    let current = try context.stores.tasks.find(task.id) ?? task
                    // Not working: the spawner died before its claim, so it did nothing else. Working
                    // under another machine's claim (shared tasks): that machine's spawn, not ours.
                    guard current.status == .working, ClaimRule.runsHere(current, machine: context.stores.claims.machine) else {
                        // Shared tasks: no note either; this write would conflict with the claim
                        // another machine may be pushing for the task.
                        if context.stores.claims.machine == nil {
                            try context.stores.tasks.update(task.id, in: task.project) { record in
                                record.lastError = "a spawn was interrupted; it will be retried"
                            }
                        }
                        try guards.removeMarker(task.id, in: task.project)
                        repaired.append(task.id)
                        return
                    }
                    if let session = current.tmuxSession, !AgentSessions(context: context).end(session) {
                        context.logger.warn(
                            "spawn", "An interrupted spawn's session would not end; repair retried later",
                            [("task_id", .string(task.id.rawValue))])
                        return
                    }
                    if let slot = try context.stores.pool.read().slot(boundTo: task.id) {
                        let project = try context.stores.projects.list().first { $0.name == task.project }
                        try? Workspaces(context: context).release(slot.name, task: current, project: project, force: true)
                    }
                    let note = StatusChangeNote(by: .engine, cause: "spawn interrupted; rolled back", at: context.clock.now())
                    let turn =
                        markerText.hasPrefix(reassessMarkerPrefix)
                        ? markerText.dropFirst(reassessMarkerPrefix.count).split(whereSeparator: { $0 == " " || $0 == "\n" }).compactMap {
                            TaskID(validating: String($0))
                        } : nil
                    try context.stores.tasks.update(task.id, in: task.project, recording: note) { record in
                        if record.status == .working { record.status = turn == nil ? .pending : .delegated }
                        record.reassessed.removeAll { turn?.contains($0) == true }
                        record.workspace = nil
                        record.tmuxSession = nil
                        record.lastError = "a spawn was interrupted; it will be retried"
                    }
                    try guards.removeMarker(task.id, in: task.project)
                    context.logger.warn("spawn", "Interrupted spawn repaired", [("task_id", .string(task.id.rawValue))])
                    repaired.append(task.id)
                }
            } catch is SpawnLockBusy {
                continue  // a spawn is in progress
            }
        }
        return repaired
    }

    /// The argv that starts the agent, through `env` so its environment is exactly this one
    /// whatever tmux's rules for a pane's PATH (`AgentLaunch`), and that environment.
    func agentCommand(_ harnessArgv: [String], for task: TaskRecord) throws -> (argv: [String], environment: [String: String]) {
        let orangeDirectory = try context.stores.agentLinks.prepare(for: context.processes.executablePath)
        let environment = agentEnvironment(task, orangeDirectory: orangeDirectory)
        let searchPath = environment["PATH"]!
        guard let program = harnessArgv.first.flatMap({ context.processes.locateProgram($0, searchPath) }) else {
            throw OrangeError("'\(harnessArgv.first ?? "")' is not on the agent's PATH (\(searchPath))")
        }
        guard let env = context.processes.locateProgram("env", "/usr/bin:/bin") else {
            throw OrangeError("'env' (coreutils) is not installed")
        }
        let argv = try AgentLaunch.argv(
            envProgram: env, environment: environment, program: program, arguments: Array(harnessArgv.dropFirst()))
        return (argv, environment)
    }

    /// Environment of the agent's session: where orange's data is and which task this is, and
    /// the very orange that spawned it first on PATH, so the agent's `orange task update …` works
    /// whether or not the user put orange on their PATH.
    func agentEnvironment(_ task: TaskRecord, orangeDirectory: String) -> [String: String] {
        var env = ["ORANGE_HOME": context.home, "ORANGE_TASK_ID": task.id.rawValue, "ORANGE_BIN": context.processes.executablePath]
        if let socket = context.environment["ORANGE_TMUX_SOCKET"] { env["ORANGE_TMUX_SOCKET"] = socket }
        env["PATH"] = AgentLaunch.searchPath(orangeDirectory: orangeDirectory, inherited: context.environment["PATH"])
        return env
    }

    private func undoClaim(_ task: TaskRecord, from: TaskStatus, at now: Timestamp) throws {
        try context.stores.tasks.update(
            task.id, in: task.project, recording: StatusChangeNote(by: .engine, cause: "no free workspace; claim given back", at: now)
        ) { record in
            if record.status == .working && record.workspace == task.workspace {
                record.status = from
                if from == .pending { record.setClaim(nil) }  // another machine may take it
            }
        }
    }

    /// Puts the task back where it was, counts the failure, and gives up after the second.
    private func recordFailure(_ task: TaskRecord, from: TaskStatus, reason: String, at now: Timestamp, turn: ReassessTurn? = nil) throws
        -> Bool
    {
        var gaveUp = false
        try context.stores.tasks.update(
            task.id, in: task.project, recording: StatusChangeNote(by: .engine, cause: "spawn failed: " + reason, at: now)
        ) { record in
            // A reassess turn that did not start is due again.
            record.reassessed.removeAll { turn?.finished.contains($0) == true }
            record.spawnFailures += 1
            record.lastError = "spawn failed: " + reason
            gaveUp = record.spawnFailures >= Self.maximumFailures
            record.status = gaveUp ? .failed : from
            // Not again at once: what failed (a lock, a busy repository) may pass.
            record.spawnRetryAt = gaveUp ? nil : Timestamp(millisecondsSinceEpoch: now.millisecondsSinceEpoch + Self.retryDelayMilliseconds)
            if task.workspace == nil { record.workspace = nil }
            record.tmuxSession = nil
            record.updatedAt = now
        }
        try context.stores.tasks.appendHistory(
            HistoryEvent(type: "spawn.failed", timestamp: now, fields: [("error", .string(reason)), ("gave_up", .bool(gaveUp))]),
            for: task.id, in: task.project)
        context.logger.warn(
            "spawn", "Spawn failed", [("task_id", .string(task.id.rawValue)), ("error", .string(reason)), ("gave_up", .bool(gaveUp))])
        return gaveUp
    }
}

private struct SkipSpawn: Error {
    var reason: String
    init(_ reason: String) { self.reason = reason }
}
