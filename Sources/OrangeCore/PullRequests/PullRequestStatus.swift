/// What the forge says about a task's pull request, as `gh pr view --json
/// state,reviewDecision,statusCheckRollup,mergedAt,url` prints it, reduced to what orange shows
/// and acts on.
public struct PullRequestStatus: Hashable, Sendable {
    public enum State: String, Sendable, CaseIterable {
        case open = "OPEN"
        case merged = "MERGED"
        case closed = "CLOSED"
    }

    /// The checks of the head commit, rolled up the way the original's dashboard did: any failure
    /// fails, else anything unfinished is pending, else pass; `none` without checks.
    public enum Checks: String, Sendable, CaseIterable {
        case pass, fail, pending, none
    }

    public var state: State
    /// `APPROVED`, `CHANGES_REQUESTED`, `REVIEW_REQUIRED`, or nil when the repository asks for no review.
    public var reviewDecision: String?
    public var checks: Checks
    public var mergedAt: String?
    public var url: String?

    public init(state: State, reviewDecision: String? = nil, checks: Checks = .none, mergedAt: String? = nil, url: String? = nil) {
        self.state = state
        self.reviewDecision = reviewDecision
        self.checks = checks
        self.mergedAt = mergedAt
        self.url = url
    }

    /// The fields `gh pr view --json` is asked for.
    public static let ghFields = "state,reviewDecision,statusCheckRollup,mergedAt,url"

    /// Parses gh's JSON; nil with a reason when it is not the shape gh prints.
    public static func parse(ghJSON text: String) -> Result<PullRequestStatus, PullRequestParseError> {
        let json: JSONValue
        do {
            json = try JSONValue.parse(text)
        } catch {
            return .failure(PullRequestParseError(reason: "gh printed something that is not JSON: \(error)"))
        }
        guard let stateText = json["state"]?.stringValue, let state = State(rawValue: stateText.uppercased()) else {
            return .failure(PullRequestParseError(reason: "gh's answer has no known \"state\""))
        }
        let review = json["reviewDecision"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
        let merged = json["mergedAt"]?.stringValue.flatMap { $0.isEmpty || $0.hasPrefix("0001-") ? nil : $0 }
        return .success(
            PullRequestStatus(
                state: state, reviewDecision: review, checks: rollUp(json["statusCheckRollup"]?.arrayValue ?? []),
                mergedAt: merged, url: json["url"]?.stringValue))
    }

    /// `statusCheckRollup` holds CheckRuns (`status`, `conclusion`) and StatusContexts (`state`).
    static func rollUp(_ entries: [JSONValue]) -> Checks {
        guard !entries.isEmpty else { return .none }
        let failed: Set = ["FAILURE", "ERROR", "TIMED_OUT", "CANCELLED", "ACTION_REQUIRED", "STARTUP_FAILURE"]
        let unfinished: Set = ["PENDING", "EXPECTED", "QUEUED", "IN_PROGRESS", "WAITING", "REQUESTED"]
        var pending = false
        for entry in entries {
            let conclusion = entry["conclusion"]?.stringValue?.uppercased() ?? ""
            let state = entry["state"]?.stringValue?.uppercased() ?? ""
            let status = entry["status"]?.stringValue?.uppercased() ?? ""
            if failed.contains(conclusion) || failed.contains(state) { return .fail }
            if unfinished.contains(state) || unfinished.contains(status) || (entry["status"] != nil && status != "COMPLETED") {
                pending = true
            }
        }
        return pending ? .pending : .pass
    }

    /// A few characters for lists and the dashboard: `open ✓`, `open ✗`, `open …`, `merged`,
    /// `closed`, with `approved`/`changes` when a review decided.
    public var compact: String {
        switch state {
        case .merged: return "merged"
        case .closed: return "closed"
        case .open:
            let mark = [Checks.pass: " ✓", .fail: " ✗", .pending: " …", .none: ""][checks]!
            let review =
                [
                    "APPROVED": " approved", "CHANGES_REQUESTED": " changes", "REVIEW_REQUIRED": " review",
                ][reviewDecision ?? ""] ?? ""
            return "open" + mark + review
        }
    }
}

public struct PullRequestParseError: Error, Hashable, Sendable, CustomStringConvertible {
    public var reason: String
    public var description: String { reason }
}
