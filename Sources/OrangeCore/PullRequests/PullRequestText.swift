/// The title and body orange gives a task's pull request.
public enum PullRequestText {
    /// Where a repository keeps its PR template, in the order GitHub looks (first found wins).
    public static let templatePaths = [
        ".github/pull_request_template.md", ".github/PULL_REQUEST_TEMPLATE.md",
        "pull_request_template.md", "PULL_REQUEST_TEMPLATE.md",
        "docs/pull_request_template.md", "docs/PULL_REQUEST_TEMPLATE.md",
    ]

    /// The description's first line (at most 120 characters), or the branch without one.
    public static func title(for task: TaskRecord) -> String {
        let first = task.description.split(whereSeparator: \.isNewline).first.map(String.init)?.trimmed ?? ""
        guard !first.isEmpty else { return task.branch }
        return first.count > 120 ? String(first.prefix(119)) + "…" : first
    }

    /// The description, the task's notes (its body, cut at `bodyLimit` characters), then the
    /// repository's template, then a line naming the task.
    public static func body(for task: TaskRecord, template: String?, bodyLimit: Int = 4000) -> String {
        var parts: [String] = []
        let description = task.description.trimmed
        if !description.isEmpty { parts.append(description) }
        var notes = task.body.trimmed
        if notes.count > bodyLimit { notes = String(notes.prefix(bodyLimit)) + "\n\n…" }
        if !notes.isEmpty { parts.append(notes) }
        if let template = template?.trimmed, !template.isEmpty { parts.append(template) }
        parts.append("Opened by orange for task \(task.id) (branch `\(task.branch)`).")
        return parts.joined(separator: "\n\n") + "\n"
    }
}

extension String {
    fileprivate var trimmed: String {
        var scalars = Substring(self)
        while let first = scalars.first, first.isWhitespace { scalars = scalars.dropFirst() }
        while let last = scalars.last, last.isWhitespace { scalars = scalars.dropLast() }
        return String(scalars)
    }
}
