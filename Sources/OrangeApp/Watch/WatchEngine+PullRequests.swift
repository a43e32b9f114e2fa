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

    /// Called with the tasks each graph update changed (the start-up scan included).
    func followPullRequests(_ changed: [TaskID]) {
        guard let pullRequests else { return }
        // Nothing followed yet (the start-up batch): only a task to follow is worth a note, not
        // a lock, a clock read and a removal for each of 100,000 others.
        var noneFollowed = pullRequests.followedCount == 0
        // From the compact record: only a task with a pull request in review is built whole (the
        // start-up batch names every task, and built each one again here).
        for id in changed {
            let compact = graph.tasks.compact(id)
            let mayFollow = compact.map { !($0.prURL ?? "").isEmpty && PullRequestFollowing.followedStatuses.contains($0.status) } ?? false
            if mayFollow {
                pullRequests.note(id, PullRequestFollower.candidate(graph[id]))
                noneFollowed = false
            } else if !noneFollowed {
                pullRequests.note(id, nil)
            }
        }
    }
}
