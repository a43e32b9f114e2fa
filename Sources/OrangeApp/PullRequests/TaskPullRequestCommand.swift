import OrangeCore

extension Commands {
    /// `orange task pr <id>` (and `create-pr`): opens the task's pull request, or names the one it has.
    func taskPullRequest() throws -> CommandResult {
        let task = try requireTask(invocation.positional(0)!)
        let opened = try PullRequestOpening(context: context).open(task)
        let text =
            opened.created
            ? "Opened pull request for task \(task.id) (\(task.branch) into \(opened.base)): \(opened.url)\n"
            : "Task \(task.id) already has a pull request: \(opened.url)\n"
        return CommandResult(
            text: text,
            json: .object([
                ("task", try taskJSON(opened.task)),
                ("url", .string(opened.url)), ("base", .string(opened.base)), ("created", .bool(opened.created)),
            ]))
    }
}
