/// The pull request commands and options (`gh`, GitHub's own client, does the talking).
extension OrangeCommands {
    static let pullRequests: [CommandSpec] = [
        CommandSpec(
            ["task", "pr"], summary: "Push a task's branch and open a pull request for it with gh.",
            positionals: [PositionalSpec("id", help: "The task id.")],
            discussion: pullRequestDiscussion,
            examples: ["orange task pr abc123", "orange task pr abc123 --json"]),
        CommandSpec(
            ["task", "create-pr"], summary: "The same as 'orange task pr' (the original orange's name).",
            positionals: [PositionalSpec("id", help: "The task id.")],
            discussion: pullRequestDiscussion),
    ]

    static let pullRequestDiscussion =
        "For a task in review (reviewing or reviewed). The title is the description's first line; the body is the\ndescription, the task's notes and the repository's PR template (.github/pull_request_template.md and the\nother places GitHub looks). The base is the default branch, or the parent's branch when the parent uses the\nhierarchical branch model. Records pr_url in TASK.md and a pr.created history line. Needs gh, logged in.\nThe engine then follows the PR: merged on the forge, the task is done; closed unmerged, it is cancelled."
}

extension OptionSpec {
    static let mergeVia = OptionSpec(
        "merge-via", .value(placeholder: MergeRoute.allNames),
        help: "How 'task merge' finishes a task: push to origin (default), or merge its pull request with gh.")
    static let prMerge = OptionSpec(
        "pr-merge", .value(placeholder: PullRequestMergeStrategy.allNames),
        help: "The 'gh pr merge' strategy with --merge-via pr (default: merge).")
    static let prInterval = OptionSpec(
        "pr-interval", .value(placeholder: "seconds"),
        help: "Ask gh about each open pull request this often (default: 60; 0 turns following off).")
}
