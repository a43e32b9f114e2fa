import OrangeCore

extension Commands {
    func taskUpdate() throws -> CommandResult {
        let workerTask = try currentWorkspaceTask()
        let task: TaskRecord
        if let text = invocation.positional(0) {
            task = try requireTask(text)
        } else if let workerTask {
            task = workerTask
        } else {
            throw OrangeError("no task id given and the current directory is not inside a task's workspace")
        }
        let actor = try updateActor(isOwnWorkspace: workerTask?.id == task.id)

        var newStatus: TaskStatus?
        if let text = invocation.value("status") {
            guard let status = TaskStatus(rawValue: text) else {
                throw usageError("invalid status '\(text)'; use one of: \(TaskStatus.allNames)")
            }
            newStatus = status
        }
        let added = try parseIDList(invocation.allValues("blocked-by"), option: "blocked-by")
        let removed = try parseIDList(invocation.allValues("unblock"), option: "unblock")
        let description = invocation.value("description")
        let branch = invocation.value("branch")
        if let branch, let problem = BranchName.problem(with: branch) { throw OrangeError(problem) }
        let execution = try invocation.value("execution").map { text in
            text == "inherit" ? Optional<ExecutionMode>.none : try parseMode(text, option: "execution", ExecutionMode.self)
        }
        let branches = try invocation.value("branches").map { text in
            text == "inherit" ? Optional<BranchModel>.none : try parseMode(text, option: "branches", BranchModel.self)
        }
        if newStatus == nil && added.isEmpty && removed.isEmpty && description == nil && branch == nil && execution == nil
            && branches == nil
        {
            throw UsageError(
                "nothing to update: give --status, --description, --branch, --blocked-by, --unblock, --execution or --branches",
                command: invocation.command)
        }

        let now = context.clock.now()
        var changes: [String] = []
        func validateAndWrite() throws -> (before: TaskRecord, after: TaskRecord) {
            // With edges, asked inside the graph lock: the cycle check must see every edge
            // written before this one. The engine's graph when one runs, else a scan, read once.
            var scan: [TaskRecord]?
            func graphChecks(_ question: GraphChecks.UpdateQuestion) throws -> GraphChecks.UpdateOutcome {
                if question.isEmpty { return GraphChecks.UpdateOutcome() }
                if let answer = try askEngine(.checkUpdate, question.json) { return GraphChecks.UpdateOutcome(json: answer) }
                let tasks = try scan ?? context.stores.tasks.scan(project: nil).tasks
                scan = tasks
                return GraphChecks.update(question, view: GraphView(tasks: tasks))
            }
            return try context.stores.tasks.update(task.id, in: task.project, recording: StatusChangeNote(by: actor, at: now)) { record in
                // The store runs this again when another writer saved in between: say each
                // change once.
                changes = []
                var blockers = record.blockedBy.filter { !removed.contains($0) }
                for id in added where !blockers.contains(id) { blockers.append(id) }
                // Checked again here, under the task's lock, against what is on disk now.
                let checks = try graphChecks(
                    GraphChecks.UpdateQuestion(
                        record: record, newStatus: newStatus == record.status ? nil : newStatus, actor: actor,
                        newBlockers: blockers == record.blockedBy ? nil : blockers,
                        branch: branch == record.branch ? nil : branch))
                if let newStatus, newStatus != record.status {
                    if let problem = checks.transitionProblem { throw OrangeError(problem) }
                    changes.append("status \(record.status.rawValue) → \(newStatus.rawValue)")
                    record.status = newStatus
                }
                if blockers != record.blockedBy {
                    if let problem = checks.edgeProblem { throw OrangeError(problem) }
                    changes.append("blocked_by [\(blockers.map(\.rawValue).joined(separator: ", "))]")
                    record.blockedBy = blockers
                }
                if let description, description != record.description {
                    record.description = description
                    changes.append("description updated")
                }
                if let execution, execution != record.execution {
                    record.execution = execution
                    changes.append("execution \(execution?.rawValue ?? "inherited")")
                }
                if let branches, branches != record.branches {
                    record.branches = branches
                    changes.append("branches \(branches?.rawValue ?? "inherited")")
                }
                if let branch, branch != record.branch {
                    if record.workspace != nil {
                        throw OrangeError(
                            "task \(record.id) is running in \(record.workspace!); rename its branch there with git, then run this again once it is released"
                        )
                    }
                    if let clash = checks.branchClash { throw OrangeError("task \(clash) already uses branch '\(branch)'") }
                    changes.append("branch \(record.branch) → \(branch)")
                    record.branch = branch
                }
                if !changes.isEmpty { record.updatedAt = now }
            }
        }
        let changesEdges = !added.isEmpty || !removed.isEmpty
        _ =
            try changesEdges
            ? context.stores.tasks.withGraphLock(of: task.project, validateAndWrite) : validateAndWrite()
        let otherChanges = changes.filter { !$0.hasPrefix("status ") }
        if !otherChanges.isEmpty {
            try context.stores.tasks.appendHistory(
                HistoryEvent(type: "task.updated", timestamp: now, fields: [("changes", .array(otherChanges.map { .string($0) }))]),
                for: task.id, in: task.project)
        }
        CrashPoint.reach("update.written", context)
        let transitions = try reconcileAfterWrite([task.id])
        var text = changes.isEmpty ? "Task \(task.id) unchanged\n" : "Updated task \(task.id): \(changes.joined(separator: ", "))\n"
        text += transitions.lines.map { $0 + "\n" }.joined()
        return CommandResult(text: text, json: try taskChange(task, transitions: transitions.json))
    }

    private func updateActor(isOwnWorkspace: Bool) throws -> TransitionActor {
        switch invocation.value("as") {
        case nil: return isOwnWorkspace ? .agent : .human
        case "agent": return .agent
        case "human": return .human
        case let other?: throw usageError("invalid --as '\(other)'; use agent or human")
        }
    }

    func taskCancel() throws -> CommandResult {
        let task = try requireTask(invocation.positional(0)!)
        try confirmOrThrow("Cancel task \(task.project)/\(task.branch) (\(task.id))?")
        let now = context.clock.now()
        let scan = try context.stores.tasks.scan(project: nil)
        let (_, after) = try context.stores.tasks.update(task.id, in: task.project, recording: StatusChangeNote(by: .human, at: now)) {
            record in
            try GraphView(tasks: scan.tasks).checkTransition(record, to: .cancelled, by: .human)
            record.status = .cancelled
            record.updatedAt = now
        }
        CrashPoint.reach("cancel.marked", context)
        let reconciler = Reconciler(context: context)
        // The agent ends now, before this command returns; `--force` also releases a workspace
        // with uncommitted work, which the reconcile alone never does.
        let force = invocation.flag("force")
        try reconciler.stopAgent(after, project: try context.stores.projects.list().first { $0.name == task.project }, force: force)
        let transitions = try reconciler.reconcile(changed: [task.id])
        let fresh = try context.stores.tasks.find(task.id) ?? after
        var text = "Task \(task.id) cancelled\n" + transitions.map { $0.line + "\n" }.joined()
        if let kept = fresh.workspace {
            text += "Workspace \(kept) was kept: it has uncommitted changes (release it with 'orange workspace release \(kept) --force').\n"
        }
        return CommandResult(text: text, json: try taskChange(fresh, transitions: transitions))
    }

    func taskDelete() throws -> CommandResult {
        let task = try requireTask(invocation.positional(0)!)
        guard task.status.isTerminal else {
            throw OrangeError(
                "cannot delete task \(task.id) with status '\(task.status.rawValue)'; cancel it first (only done, failed or cancelled tasks can be deleted)"
            )
        }
        try confirmOrThrow("Delete task \(task.project)/\(task.branch) (\(task.id))?")
        // The task as it was, read before its folder goes.
        let json = try taskJSON(task)
        try context.stores.tasks.delete(task.id, in: task.project)
        context.logger.info("task", "Task deleted", [("task_id", .string(task.id.rawValue))])
        return CommandResult(text: "Task \(task.id) deleted (branch '\(task.branch)' kept)\n", json: .object([("task", json)]))
    }

    /// `--yes`, or an interactive yes; without a terminal to ask, refuse rather than guess.
    func confirmOrThrow(_ question: String) throws {
        if invocation.flag("yes") { return }
        if !context.console.confirm(question + " (y/N) ") {
            throw OrangeError("not confirmed; nothing was changed (pass --yes to skip the question)")
        }
    }
}
