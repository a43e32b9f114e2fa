import OrangeCore
import OrangeSystem

/// Degraded mode (F12): some folders could not be watched (`max_user_watches` reached, or no
/// inotify instance left). Their edits raise no event, and the 30 s sweep would be far too slow,
/// so the loop polls them every `--poll-interval` (1 s by default) and retries their watches on
/// the same schedule. It says so loudly when it starts and when every folder is watched again.
extension WatchEngine {
    /// Called on every turn of the loop: starts, runs or ends the polling of unwatched folders.
    func coverUnwatched(_ watcher: TaskTreeWatcher, worker: EngineWorker) {
        let now = clock.monotonicNanoseconds()
        let interval = UInt64(options.pollIntervalSeconds * 1e9)
        guard watcher.isDegraded else {
            if nextPollAt != nil { announceRecovered() }
            return
        }
        guard let due = nextPollAt else {
            // Newly degraded: the scan that just failed to add the watches already reported
            // what those folders hold; polling takes over from the next interval.
            nextPollAt = now + interval
            announceDegraded(watcher)
            return
        }
        guard now >= due else { return }
        nextPollAt = now + interval
        degradedPolls += 1
        // The known tasks grouped once per poll, on the first project asked for: a scan of every
        // key per unwatched project folder would be O(tasks × folders).
        var byProject: [String: [TaskKey]]?
        let polled = watcher.pollUnwatched { project in
            guard let project else { return self.driver.knownKeys }
            if byProject == nil { byProject = Dictionary(grouping: self.driver.knownKeys, by: \.project) }
            return byProject?[project] ?? []
        }
        // The poll first: a folder the retry then finds gone leaves the list, and its tasks must
        // have been stat'ed (and found missing) before that.
        handle(polled, worker: worker)
        handle([.hints(watcher.retryUnwatched())], worker: worker)
        if !watcher.isDegraded { announceRecovered() }
    }

    private func announceDegraded(_ watcher: TaskTreeWatcher) {
        let count = watcher.unwatchedDirectories.count
        let cause = watcher.lastLimitError?.description ?? "inotify limit reached"
        let seconds =
            options.pollIntervalSeconds == options.pollIntervalSeconds.rounded()
            ? String(Int(options.pollIntervalSeconds)) : String(options.pollIntervalSeconds)
        let message =
            "watch: \(count) folder\(count == 1 ? "" : "s") cannot be watched (\(cause)); "
            + "polling \(count == 1 ? "it" : "them") every \(seconds) s until the watches can be added"
        context.logger.warn("watch", "degraded mode", [("unwatched", .int(Int64(count))), ("error", .string(cause))])
        if options.performsActions { attention.notifyEngine(event: Attention.engineDegraded, message: message) }
        emit(
            .object([("event", "diagnostic"), ("degraded", true), ("unwatched", .int(Int64(count))), ("message", .string(message))]),
            "! \(message)")
    }

    private func announceRecovered() {
        nextPollAt = nil
        let message = "watch: every folder is watched again; polling stopped (after \(degradedPolls) poll\(degradedPolls == 1 ? "" : "s"))"
        context.logger.info("watch", "degraded mode ended", [("polls", .int(Int64(degradedPolls)))])
        emit(.object([("event", "diagnostic"), ("degraded", false), ("message", .string(message))]), message)
    }
}
