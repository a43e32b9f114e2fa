import OrangeCore

/// Opens a task's pull request: pushes its branch to origin, asks gh for the PR, records
/// `pr_url` (under the task's lock, every other key and the body kept) and a `pr.created` line.
struct PullRequestOpening {
    let context: AppContext

    /// The statuses a PR may be opened from: the work is ready for review.
    static let allowedStatuses: Set<TaskStatus> = [.reviewing, .reviewed]

    struct Opened {
        var task: TaskRecord
        var url: String
        var base: String
        /// False when the task already had a PR (nothing was pushed or asked).
        var created: Bool
    }

    func open(_ task: TaskRecord) throws -> Opened {
        guard Self.allowedStatuses.contains(task.status) else {
            throw OrangeError(
                "task \(task.id) is \(task.status.rawValue); a pull request is opened for a task in review (reviewing or reviewed)")
        }
        guard let project = try context.stores.projects.list().first(where: { $0.name == task.project }) else {
            throw OrangeError("project '\(task.project)' is not registered")
        }
        let graph = TaskGraph(try context.stores.tasks.scan(project: task.project).tasks)
        let parent = graph.branchParent(of: task.id, project: project.modes).flatMap { graph[$0] }
        let base = parent?.branch ?? project.defaultBranch
        if let url = task.prURL { return Opened(task: task, url: url, base: base, created: false) }
        guard context.processes.git.hasRemote(project.path, named: "origin") else {
            throw OrangeError("project '\(project.name)' has no 'origin' remote; a pull request needs the branch pushed to one")
        }
        let path = task.workspace.map(context.workspacePath) ?? project.path
        if task.workspace != nil, try context.processes.git.isDirty(path) {
            throw OrangeError("workspace \(task.workspace!) has uncommitted changes; commit them on '\(task.branch)' first")
        }
        if parent != nil { try Workspaces(context: context).ensureOnOrigin(base, in: path, project: project) }
        try push(task, from: path)

        let template = PullRequestText.templatePaths.lazy.compactMap { name in
            [path, project.path].lazy.compactMap { context.readFile($0 + "/" + name) }.first
        }.first
        let url = try GitHubCLI(context: context).create(
            in: path, head: task.branch, base: base, title: PullRequestText.title(for: task),
            body: PullRequestText.body(for: task, template: template))
        let now = context.clock.now()
        let (_, after) = try context.stores.tasks.update(task.id, in: task.project) { record in
            record.prURL = url
            record.updatedAt = now
        }
        try context.stores.tasks.appendHistory(
            HistoryEvent(
                type: "pr.created", timestamp: now,
                fields: [("url", .string(url)), ("base", .string(base)), ("head", .string(task.branch))]),
            for: task.id, in: task.project)
        context.logger.info("pr", "Pull request opened", [("task_id", .string(task.id.rawValue)), ("url", .string(url))])
        return Opened(task: after, url: url, base: base, created: true)
    }

    /// Puts the task's branch on origin. A branch only on origin, or whose origin copy already
    /// holds the local one (a hierarchical parent's aggregate: its children merged into it there),
    /// is already there: pushing the older local branch would be refused.
    private func push(_ task: TaskRecord, from path: String) throws {
        try? context.processes.git.fetch(path)
        let onOrigin = context.processes.git.remoteBranchExists(path, task.branch)
        if onOrigin, context.processes.git.isAncestor(path, "refs/heads/\(task.branch)", of: "refs/remotes/origin/\(task.branch)") {
            return
        }
        if context.processes.git.branchExists(path, task.branch) {
            do {
                try context.processes.git.push(path, remote: "origin", refspec: "refs/heads/\(task.branch):refs/heads/\(task.branch)")
            } catch {
                throw OrangeError("pushing '\(task.branch)' to origin failed, no pull request was opened: \(error)")
            }
        } else if !onOrigin {
            throw OrangeError("branch '\(task.branch)' exists neither here nor on origin; there is nothing to open a pull request for")
        }
    }
}
