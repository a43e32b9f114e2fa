/// What the engine does with one answer of `gh pr view` for a task: pure, so every case is a
/// unit test.
public enum PullRequestFollowing {
    /// The statuses in which a task's pull request is followed: the work is up for review, in
    /// orange (`reviewing`) or approved (`reviewed`). A task back at work, or finished, is left
    /// alone: its PR may be merged or closed by hand without orange second-guessing it.
    public static let followedStatuses: Set<TaskStatus> = [.reviewing, .reviewed]

    public enum Action: Hashable, Sendable {
        /// Merged on the forge: the task is done (its dependents start).
        case finish(PullRequestStatus)
        /// Closed without merging: the task is cancelled, with this reason in its history.
        case cancel(PullRequestStatus, reason: String)
        /// Still open (or already settled): only the state shown changes.
        case record(PullRequestStatus)
        /// Nothing new.
        case nothing
    }

    /// The action for a task in `status` whose last recorded state is `recorded`, now that gh
    /// answered `observed`.
    public static func decide(status: TaskStatus, recorded: PullRequestStatus?, observed: PullRequestStatus) -> Action {
        let shown = PullRequestStatus(state: observed.state, reviewDecision: observed.reviewDecision, checks: observed.checks)
        if followedStatuses.contains(status) {
            switch observed.state {
            case .merged: return .finish(shown)
            case .closed:
                return .cancel(shown, reason: "pull request closed without merging" + (observed.url.map { " (\($0))" } ?? ""))
            case .open: break
            }
        }
        return recorded == shown ? .nothing : .record(shown)
    }
}

/// When each followed pull request is next asked about: every `interval`, the first look spread
/// over one interval by the task's id (so a hundred PRs are not asked about in one burst), and
/// after a failure of gh an exponential back-off up to `maximumBackoff`.
public struct PullRequestSchedule: Hashable, Sendable {
    public var intervalNanoseconds: UInt64
    public var maximumBackoffNanoseconds: UInt64

    public init(intervalSeconds: Double, maximumBackoffSeconds: Double = 1800) {
        intervalNanoseconds = UInt64(max(0.05, intervalSeconds) * 1e9)
        maximumBackoffNanoseconds = max(intervalNanoseconds, UInt64(maximumBackoffSeconds * 1e9))
    }

    /// The first look at a task's PR: somewhere in the next interval, always the same place for
    /// the same task (FNV-1a of its id).
    public func firstCheck(of id: TaskID, now: UInt64) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in id.rawValue.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return now + hash % max(1, intervalNanoseconds)
    }

    /// The next look after an answer (`failures` 0) or after the `failures`-th failure in a row:
    /// interval × 2^failures, at most the maximum back-off.
    public func nextCheck(now: UInt64, failures: Int) -> UInt64 {
        let shift = min(failures, 30)
        let (scaled, overflow) = intervalNanoseconds.multipliedReportingOverflow(by: UInt64(1) << UInt64(shift))
        return now + (overflow ? maximumBackoffNanoseconds : min(scaled, failures == 0 ? scaled : maximumBackoffNanoseconds))
    }
}
