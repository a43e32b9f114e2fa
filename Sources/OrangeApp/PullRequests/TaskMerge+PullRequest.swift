import OrangeCore

extension Commands {
    /// `task merge` for a project that merges through pull requests (`--merge-via pr`): opens the
    /// task's PR when it has none, merges it with `gh pr merge --<strategy>`, and finishes the task
    /// once the forge says it is merged. A merge the forge only queued (a merge queue, required
    /// checks) leaves the task as it is: the engine finishes it when the PR is merged.
    func mergeThroughPullRequest(_ task: TaskRecord, project: Project) throws -> CommandResult {
        if invocation.value("strategy") != nil {
            throw usageError(
                "--strategy is for merges on origin; project '\(project.name)' merges through pull requests with 'gh pr merge \(project.merging.strategy.ghFlag)' (change it with 'orange project update --pr-merge')"
            )
        }
        let opened = try PullRequestOpening(context: context).open(task)
        let gh = GitHubCLI(context: context)
        let strategy = project.merging.strategy
        do {
            try gh.merge(opened.url, strategy: strategy)
        } catch {
            // Merged on the forge already (by a person, before the engine looked): finish the task.
            guard (try? gh.view(opened.url))?.state == .merged else { throw error }
        }
        let observed = try? gh.view(opened.url)
        guard observed == nil || observed?.state == .merged else {
            let state = observed!.compact
            let (_, after) = try context.stores.tasks.update(task.id, in: task.project) { $0.pullRequestStatus = observed }
            return CommandResult(
                text:
                    "gh accepted the merge of \(opened.url), which is \(state) for now; the engine finishes task \(task.id) when the forge merges it\n",
                json: .object([
                    // The members of a merge on origin, with the commit the forge has not made yet.
                    ("task", try taskJSON(after)), ("commit", .null), ("strategy", .string(strategy.rawValue)),
                    ("into", .string(opened.base)), ("url", .string(opened.url)), ("merged", .bool(false)), ("transitions", .array([])),
                ]))
        }
        let now = context.clock.now()
        let (_, after) = try context.stores.tasks.update(
            task.id, in: task.project, recording: StatusChangeNote(by: .human, cause: "pull request merged", at: now)
        ) { record in
            record.status = .done
            record.updatedAt = now
            record.pullRequestStatus = PullRequestStatus(
                state: .merged, reviewDecision: observed?.reviewDecision, checks: observed?.checks ?? .none)
        }
        try context.stores.tasks.appendHistory(
            HistoryEvent(
                type: "pr.merged", timestamp: now,
                fields: [("url", .string(opened.url)), ("strategy", .string(strategy.rawValue)), ("by", .string("orange task merge"))]),
            for: task.id, in: task.project)
        // Frees the worktree and starts whatever the merge made ready.
        let transitions = try Reconciler(context: context).reconcile(changed: [task.id])
        return CommandResult(
            text: "Task \(task.id) merged through its pull request (\(strategy.rawValue)): \(opened.url)\n"
                + transitions.map { $0.line + "\n" }.joined(),
            json: .object([
                // Read after the reconcile, as a merge on origin shows it; gh does not say the commit.
                ("task", try taskJSON(after)), ("commit", .null), ("strategy", .string(strategy.rawValue)),
                ("into", .string(opened.base)), ("url", .string(opened.url)), ("merged", .bool(true)),
                ("transitions", .array(transitions.map(\.json))),
            ]))
    }
}
