import OrangeCore

/// The engine's part in following pull requests: it tells the follower (which runs on its own
/// queue, so gh never holds up the reading of inotify) which tasks have a PR to follow, from the
/// changes it applies to its graph.
extension WatchEngine {
    /// The follower for this engine, started; nil for a follower engine (it acts on nothing) or
    /// with following turned off (`--pr-interval 0`).
    func startFollowingPullRequests() -> PullRequestFollower? {
        guard options.performsActions, options.pullRequestIntervalSeconds > 0 else { return nil }
        let follower = PullRequestFollower(context: context, intervalSeconds: options.pullRequestIntervalSeconds, emit: emit)
        follower.start()
        return follower
    }

    /// Tells the follower about one task a graph update changed (the start-up scan's included),
    /// now `task` (nil: removed). `anyFollowed`: whether it followed any task before the update;
    /// if not (the start-up batch), only a task to follow is worth a note, not a lock, a clock
    /// read and a removal for each of 100,000 others. Decided on the compact record the update
    /// applied: only a task with a pull request in review is built whole.
    func followPullRequest(of id: TaskID, _ task: CompactTaskRecord?, anyFollowed: Bool) {
        guard let pullRequests else { return }
        if let task, let url = task.prURL, !url.isEmpty, PullRequestFollowing.followedStatuses.contains(task.status) {
            pullRequests.note(id, PullRequestFollower.candidate(task.record))
        } else if anyFollowed {
            pullRequests.note(id, nil)
        }
    }
}
