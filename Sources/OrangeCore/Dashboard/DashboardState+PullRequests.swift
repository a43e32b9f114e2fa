/// What the dashboard shows and does about a task's pull request.
extension DashboardState {
    /// ` PR✓` (checks pass), ` PR✗` (fail), ` PR…` (running) or ` PR` after the status of a task
    /// with a pull request that is still to be merged; nothing once the task is finished.
    static func pullRequestMarker(_ task: TaskRecord) -> String {
        guard task.prURL != nil, !task.status.isTerminal else { return "" }
        let checks = task.pullRequestStatus?.checks ?? .none
        return " PR" + [PullRequestStatus.Checks.pass: "✓", .fail: "✗", .pending: "…", .none: ""][checks]!
    }

    /// Under the row, while the PR is open and a review decided: `PR approved` or
    /// `PR: changes requested`.
    static func pullRequestNote(_ task: TaskRecord) -> String? {
        guard task.prURL != nil, !task.status.isTerminal, let status = task.pullRequestStatus, status.state == .open else {
            return nil
        }
        switch status.reviewDecision {
        case "APPROVED": return "PR approved (p opens it)"
        case "CHANGES_REQUESTED": return "PR: changes requested (p opens it)"
        default: return nil
        }
    }

    /// `p`: the PR's page when there is one; else, for a task in review, open one (`task pr`).
    mutating func pullRequestKey(_ task: TaskRecord) -> [DashboardEffect] {
        if let url = task.prURL { return [.openURL(url)] }
        guard task.status == .reviewing || task.status == .reviewed else {
            message = Message("\(task.branch) has no pull request; one is opened for a task in review", isError: true)
            return []
        }
        return [.command(["task", "pr", task.id.rawValue], task: task.id)]
    }
}
