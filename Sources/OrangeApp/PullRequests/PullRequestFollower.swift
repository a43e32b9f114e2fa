import Dispatch
import OrangeCore
import Synchronization

/// The engine's follower of open pull requests: on its own queue (gh is slow and may hang; the
/// watch loop must keep reading inotify), it asks `gh pr view` about each followed task's PR on
/// the schedule of `PullRequestSchedule`, records what the forge says in TASK.md, and finishes the
/// task when the PR is merged or cancels it when it is closed unmerged (through the transition
/// table, by the engine). The watch loop only tells it which tasks to follow.
final class PullRequestFollower: Sendable {
    /// What the follower needs of a task, taken from the engine's graph.
    struct Candidate: Hashable, Sendable {
        var project: ProjectName
        var url: String
        var status: TaskStatus
        var recorded: PullRequestStatus?
    }

    private struct Entry {
        var candidate: Candidate
        var due: UInt64
        var failures: Int
    }

    private struct State {
        var entries: [TaskID: Entry] = [:]
        var stopped = false
    }

    private let state = Mutex(State())
    private let queue = DispatchQueue(label: "orange.engine.pull-requests")
    private let context: AppContext
    private let schedule: PullRequestSchedule
    private let tickMilliseconds: Int
    private let emit: @Sendable (JSONValue, String) -> Void

    init(context: AppContext, intervalSeconds: Double, emit: @escaping @Sendable (JSONValue, String) -> Void) {
        self.context = context
        schedule = PullRequestSchedule(intervalSeconds: intervalSeconds)
        // Due checks are looked for this often: fine enough for the interval, and a wake-up a
        // second costs nothing next to a gh call.
        tickMilliseconds = max(20, min(1000, Int(intervalSeconds * 250)))
        self.emit = emit
    }

    /// The candidate for `task`, or nil when its PR is not followed.
    static func candidate(_ task: TaskRecord?) -> Candidate? {
        guard let task, let url = task.prURL, !url.isEmpty, PullRequestFollowing.followedStatuses.contains(task.status) else {
            return nil
        }
        return Candidate(project: task.project, url: url, status: task.status, recorded: task.pullRequestStatus)
    }

    /// Starts, stops or updates the following of `id` (from the watch loop's thread).
    func note(_ id: TaskID, _ candidate: Candidate?) {
        let now = context.clock.monotonicNanoseconds()
        state.withLock { state in
            guard let candidate else {
                state.entries[id] = nil
                return
            }
            if var entry = state.entries[id], entry.candidate.url == candidate.url {
                entry.candidate = candidate
                state.entries[id] = entry
            } else {
                state.entries[id] = Entry(candidate: candidate, due: schedule.firstCheck(of: id, now: now), failures: 0)
            }
        }
    }

    func start() { scheduleTick() }

    /// No check starts after this; one running finishes (gh is given its timeout).
    func stop() { state.withLock { $0.stopped = true } }

    /// How many tasks are followed (for tests and the log).
    var followedCount: Int { state.withLock { $0.entries.count } }

    private func scheduleTick() {
        queue.asyncAfter(deadline: .now() + .milliseconds(tickMilliseconds)) { [self] in
            guard !state.withLock({ $0.stopped }) else { return }
            checkDue()
            scheduleTick()
        }
    }

    /// Asks gh about every task whose look is due (the tick calls it; tests call it with a fake clock).
    func checkDue() {
        let now = context.clock.monotonicNanoseconds()
        let due = state.withLock { state in
            state.entries.filter { $0.value.due <= now }.sorted { ($0.value.due, $0.key) < ($1.value.due, $1.key) }
                .map { ($0.key, $0.value.candidate) }
        }
        let gh = GitHubCLI(context: context)
        for (id, candidate) in due {
            guard !state.withLock({ $0.stopped }) else { return }
            let observed: PullRequestStatus
            do {
                observed = try gh.view(candidate.url)
                reschedule(id, url: candidate.url, failed: false)
            } catch {
                let failures = reschedule(id, url: candidate.url, failed: true)
                context.logger.warn(
                    "pr", "Could not follow a pull request",
                    [
                        ("task_id", .string(id.rawValue)), ("url", .string(candidate.url)), ("error", .string("\(error)")),
                        ("failures", .int(Int64(failures))),
                    ])
                // Said once per run of failures; the log has every one.
                if failures == 1 {
                    emit(
                        .object([("event", "pr"), ("id", .string(id.rawValue)), ("error", .string("\(error)"))]),
                        "! \(id): could not ask gh about its pull request (\(error)); trying again later, less often")
                }
                continue
            }
            do {
                try act(
                    on: id, candidate,
                    PullRequestFollowing.decide(status: candidate.status, recorded: candidate.recorded, observed: observed))
            } catch {
                // The task changed or its file could not be written: the next look decides again.
                context.logger.warn(
                    "pr", "Could not record what a pull request's state means for its task",
                    [("task_id", .string(id.rawValue)), ("error", .string("\(error)"))])
            }
        }
    }

    /// The next check of `id` after an answer or a failure; returns the failures in a row.
    @discardableResult
    private func reschedule(_ id: TaskID, url: String, failed: Bool) -> Int {
        let now = context.clock.monotonicNanoseconds()
        return state.withLock { state in
            guard var entry = state.entries[id], entry.candidate.url == url else { return 0 }
            entry.failures = failed ? entry.failures + 1 : 0
            entry.due = schedule.nextCheck(now: now, failures: entry.failures)
            state.entries[id] = entry
            return entry.failures
        }
    }

    private struct NoLongerFollowed: Error {}

    private func act(on id: TaskID, _ candidate: Candidate, _ action: PullRequestFollowing.Action) throws {
        let now = context.clock.now()
        switch action {
        case .nothing:
            return
        case .record(let status):
            _ = try? update(id, candidate, note: nil) { record in
                record.pullRequestStatus = status
                record.updatedAt = now
            }
            state.withLock { $0.entries[id]?.candidate.recorded = status }
        case .finish(let status):
            try finish(
                id, candidate, as: .done, status: status, cause: "pull request merged on the forge", reported: "pull request merged",
                history: HistoryEvent(
                    type: "pr.merged", timestamp: now, fields: [("url", .string(candidate.url)), ("by", .string("forge"))]))
        case .cancel(let status, let reason):
            try finish(
                id, candidate, as: .cancelled, status: status, cause: reason, reported: reason,
                history: HistoryEvent(
                    type: "pr.closed", timestamp: now, fields: [("url", .string(candidate.url)), ("reason", .string(reason))]))
        }
    }

    /// The task ends as its pull request did (merged: done; closed: cancelled), with the PR's
    /// last state, its history line and the engine's transition line.
    private func finish(
        _ id: TaskID, _ candidate: Candidate, as end: TaskStatus, status: PullRequestStatus, cause: String, reported: String,
        history: HistoryEvent
    ) throws {
        let now = history.timestamp
        let note = StatusChangeNote(by: .engine, cause: cause, at: now)
        guard
            let before = try? update(
                id, candidate, note: note, finishing: end,
                {
                    $0.pullRequestStatus = status
                    $0.updatedAt = now
                })
        else { return }
        try context.stores.tasks.appendHistory(history, for: id, in: candidate.project)
        report(id, in: candidate.project, from: before, to: end, cause: reported)
    }

    /// Writes under the task's lock, only while the task still has this PR and (for a status
    /// change) is still in a followed status the transition table lets the engine leave.
    @discardableResult
    private func update(
        _ id: TaskID, _ candidate: Candidate, note: StatusChangeNote?, finishing status: TaskStatus? = nil,
        _ change: @escaping (inout TaskRecord) -> Void
    ) throws -> TaskStatus {
        var before = candidate.status
        try context.stores.tasks.update(id, in: candidate.project, recording: note) { record in
            guard record.prURL == candidate.url else { throw NoLongerFollowed() }
            before = record.status
            if let status {
                guard PullRequestFollowing.followedStatuses.contains(record.status),
                    TransitionTable.allows(record.status, status, by: .engine)
                else { throw NoLongerFollowed() }
                record.status = status
            }
            change(&record)
        }
        if status != nil { state.withLock { $0.entries[id] = nil } }
        return before
    }

    private func report(_ id: TaskID, in project: ProjectName, from: TaskStatus, to: TaskStatus, cause: String) {
        context.logger.info(
            "pr", "Task finished by its pull request", [("task_id", .string(id.rawValue)), ("status", .string(to.rawValue))])
        emit(
            .object([
                // The engine's transition line (docs/json.md), as the reconcile's are.
                ("event", "engine"), ("id", .string(id.rawValue)), ("project", .string(project.rawValue)),
                ("from", .string(from.rawValue)), ("to", .string(to.rawValue)), ("cause", .string(cause)),
            ]),
            "  engine: \(id) \(from.rawValue) → \(to.rawValue) (\(cause))")
    }
}
