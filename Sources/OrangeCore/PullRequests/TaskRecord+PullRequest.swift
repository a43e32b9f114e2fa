/// The pull request state the engine last saw, kept in TASK.md as `pr_state`, `pr_review` and
/// `pr_checks`, so every command and the dashboard show it without asking the forge. They sit
/// among the keys orange does not validate (`extra`): a value a person wrote that orange does not
/// know reads as no state, and is never an error.
extension TaskRecord {
    public static let pullRequestKeys = ["pr_state", "pr_review", "pr_checks"]

    /// The last status the engine recorded for `pr_url`; nil before its first look.
    public var pullRequestStatus: PullRequestStatus? {
        get {
            func value(_ key: String) -> String? {
                guard let entry = extra.last(where: { $0.key == key }) else { return nil }
                switch entry.value {
                case .string(let text), .plain(let text): return text
                default: return nil
                }
            }
            guard let state = value("pr_state").flatMap({ PullRequestStatus.State(rawValue: $0.uppercased()) }) else { return nil }
            let review = value("pr_review").flatMap { $0.isEmpty ? nil : $0 }
            let checks = value("pr_checks").flatMap { PullRequestStatus.Checks(rawValue: $0) } ?? .none
            return PullRequestStatus(state: state, reviewDecision: review, checks: checks)
        }
        set {
            var entries = extra.filter { !Self.pullRequestKeys.contains($0.key) }
            if let newValue {
                entries.append(FrontmatterEntry(key: "pr_state", value: .plain(newValue.state.rawValue)))
                if let review = newValue.reviewDecision, review.allSatisfy({ $0.isLetter || $0 == "_" }) {
                    entries.append(FrontmatterEntry(key: "pr_review", value: .plain(review)))
                }
                entries.append(FrontmatterEntry(key: "pr_checks", value: .plain(newValue.checks.rawValue)))
            }
            extra = entries
        }
    }
}
