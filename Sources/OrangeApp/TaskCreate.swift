import OrangeCore

extension Commands {
    func taskCreate() throws -> CommandResult {
        let project = try resolveProject()
        let id = context.newTaskID()
        let branch = invocation.positional(0) ?? "orange-tasks/\(id)"
        if let problem = BranchName.problem(with: branch) { throw OrangeError(problem) }
        let description = invocation.positionals.dropFirst().joined(separator: " ")

        let status: TaskStatus
        switch invocation.value("status") ?? "pending" {
        case "pending": status = .pending
        case "reviewing": status = .reviewing
        case let other: throw usageError("invalid initial status '\(other)'; use 'pending' or 'reviewing'")
        }

        var body = ""
        if let contextOption = invocation.value("context") {
            let text: String
            if contextOption == "-" {
                do { text = try context.console.readStandardInput() } catch {
                    throw OrangeError("--context -: \(error); nothing was created")
                }
            } else {
                text = contextOption
            }
            let trimmed = text.trimmingSpaces()
            if !trimmed.isEmpty { body = "## Context\n\n\(trimmed)\n" }
        }

        let blockers = try parseIDList(invocation.allValues("blocked-by"), option: "blocked-by")
        let execution = try parseMode(invocation.value("execution"), option: "execution", ExecutionMode.self)
        let branches = try parseMode(invocation.value("branches"), option: "branches", BranchModel.self)
        var parent: TaskID?
        if let parentText = invocation.value("parent") {
            parent = try requireTask(parentText).id
        } else if let worker = try currentWorkspaceTask(), worker.project == project.name {
            parent = worker.id  // a worker creating sub-tasks from its own workspace
        }

        let now = context.clock.now()
        func validateAndWrite() throws -> TaskRecord {
            // Every project is loaded so a blocker in another project is named as such, not as missing.
            // With edges, the tasks are read inside the graph lock: the cycle check must see every
            // edge written before this one.
            // Asked of the engine's graph when one runs (its answer reflects every write made
            // before the question, so also inside the graph lock), else of a scan.
            let new = GraphChecks.NewTask(id: id, project: project.name, branch: branch, parent: parent, blockedBy: blockers)
            let checks: GraphChecks.CreateOutcome
            if let answer = try askEngine(.checkCreate, new.json) {
                checks = GraphChecks.CreateOutcome(json: answer)
            } else {
                let scan = try context.stores.tasks.scan(project: nil)
                warn(about: scan.invalid)
                checks = GraphChecks.create(new, graph: TaskGraph(scan.tasks))
            }
            let harness = try chooseHarness(parentHarness: checks.parentHarness)
            if let problem = checks.problem { throw OrangeError(problem) }

            let task = TaskRecord(
                id: id, project: project.name, branch: branch, harness: harness, status: status,
                description: description, parent: parent, blockedBy: blockers, createdAt: now, updatedAt: now,
                execution: execution, branches: branches, hold: invocation.flag("hold") ? "" : nil, body: body)

            try context.stores.tasks.create(task)
            try context.stores.tasks.appendHistory(
                HistoryEvent(
                    type: "task.created", timestamp: now,
                    fields: [
                        ("task_id", .string(id.rawValue)), ("project", .string(project.name.rawValue)),
                        ("branch", .string(branch)), ("description", .string(description)),
                        ("blocked_by", .array(blockers.map { .string($0.rawValue) })), ("parent", .optional(parent?.rawValue)),
                        ("status", .string(status.rawValue)),
                    ]), for: id, in: project.name)
            if task.hold != nil {
                try context.stores.tasks.appendHistory(HistoryEvent(type: "task.held", timestamp: now), for: id, in: project.name)
            }
            if let parent {
                CrashPoint.reach("create.child-written", context)
                try linkChild(id, to: parent, in: project.name, at: now)
            }
            return task
        }
        // A task with no edges can close no cycle and needs no graph lock.
        let task =
            try blockers.isEmpty && parent == nil
            ? validateAndWrite() : context.stores.tasks.withGraphLock(of: project.name, validateAndWrite)
        context.logger.info("task", "Task created", [("task_id", .string(id.rawValue)), ("project", .string(project.name.rawValue))])

        var text = "Created task \(id) (\(project.name)/\(branch)) [\(status.rawValue)]"
        if !blockers.isEmpty { text += " blocked by \(blockers.map(\.rawValue).joined(separator: ", "))" }
        if let parent { text += " under \(parent)" }
        if invocation.flag("hold") { text += ", held (lift with 'orange task unhold \(id)')" }
        text += "\n"
        // Start whatever is ready now, this task included (unless told not to).
        let transitions = try reconcileAfterWrite([id], spawn: !invocation.flag("no-spawn"))
        text += transitions.lines.map { $0 + "\n" }.joined()
        let fresh = try context.stores.tasks.find(id) ?? task
        let spawn = try spawnReport(for: fresh, requested: !invocation.flag("no-spawn"))
        if let line = spawn.line { text += line + "\n" }
        var json = try taskChange(fresh, transitions: transitions.json)
        if case .object(let pairs) = json { json = .object(pairs + [("spawn", spawn.json)]) }
        return CommandResult(text: text, json: json)
    }

    /// Appends the child to its parent's `children` under the parent's lock. If orange stops
    /// between the child's write and this one, the sweep and `orange doctor` repair the link
    /// from the child's `parent` field.
    func linkChild(_ child: TaskID, to parent: TaskID, in project: ProjectName, at now: Timestamp) throws {
        let (before, _) = try context.stores.tasks.update(parent, in: project) { record in
            if !record.children.contains(child) {
                record.children.append(child)
                record.updatedAt = now
            }
        }
        if !before.children.contains(child) {
            try context.stores.tasks.appendHistory(
                HistoryEvent(type: "child.added", timestamp: now, fields: [("child", .string(child.rawValue))]),
                for: parent, in: project)
        }
    }

    /// `--harness`, else the parent's (sub-tasks run the same agent), else `$ORANGE_HARNESS`,
    /// else the first installed of claude, pi, opencode, codex.
    func chooseHarness(parentHarness: String?) throws -> String {
        if let name = invocation.value("harness") {
            guard Harnesses.isValidName(name) else { throw OrangeError("invalid harness name '\(name)'") }
            guard try context.harnesses().contains(where: { $0.name == name }) else {
                throw OrangeError(
                    "unknown harness '\(name)'; built-in: claude, pi, codex, opencode; define others in \(context.home)/config.json")
            }
            return name
        }
        if let parentHarness { return parentHarness }
        if let name = context.environment["ORANGE_HARNESS"], Harnesses.isValidName(name) { return name }
        for name in ["claude", "pi", "opencode", "codex"] where context.processes.isInstalled(name) { return name }
        return "claude"
    }

    /// Ids from repeatable, comma-separated options, validated and de-duplicated in order.
    func parseIDList(_ values: [String], option: String) throws -> [TaskID] {
        var ids: [TaskID] = []
        for value in values {
            // Empty items are errors, not skipped: `--blocked-by "$DB_ID"` with an empty variable
            // must not create a task that starts at once instead of waiting.
            for part in value.split(separator: ",", omittingEmptySubsequences: false) {
                let text = String(part).trimmingSpaces()
                if text.isEmpty { throw OrangeError("--\(option): empty task id in '\(value)' (give ids separated by commas)") }
                guard let id = TaskID(validating: text) else {
                    throw OrangeError("--\(option): '\(text)' is not a valid task id (letters and digits only)")
                }
                if !ids.contains(id) { ids.append(id) }
            }
        }
        return ids
    }
}
