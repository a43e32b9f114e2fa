extension TaskRecord {
    /// The task as JSON: every front matter key (snake_case, in file order, nulls included),
    /// then unknown keys under their own names, then `path`.
    public func json(path: String) -> JSONValue {
        var pairs: [(String, JSONValue)] = [
            ("id", .string(id.rawValue)),
            ("project", .string(project.rawValue)),
            ("branch", .string(branch)),
            ("harness", .string(harness)),
            ("status", .string(status.rawValue)),
            ("description", .string(description)),
            ("parent", .optional(parent?.rawValue)),
            ("blocked_by", .array(blockedBy.map { .string($0.rawValue) })),
            ("children", .array(children.map { .string($0.rawValue) })),
            ("workspace", .optional(workspace)),
            ("tmux_session", .optional(tmuxSession)),
            ("created_at", .optional(createdAt?.rfc3339)),
            ("updated_at", .optional(updatedAt?.rfc3339)),
            ("pr_url", .optional(prURL)),
            // The engine's record of the PR (TaskRecord+PullRequest): orange's keys, so always
            // present, null until it looked; as written, even a value orange does not know.
            ("pr_state", extraValue("pr_state")), ("pr_review", extraValue("pr_review")), ("pr_checks", extraValue("pr_checks")),
            ("spawn_failures", .int(Int64(spawnFailures))),
            ("last_error", .optional(lastError)),
            ("spawn_retry_at", .optional(spawnRetryAt?.rfc3339)),
            ("agent_crashes", .int(Int64(agentCrashes))),
            ("execution", .optional(execution?.rawValue)),
            ("branches", .optional(branches?.rawValue)),
            ("reassessed", .array(reassessed.map { .string($0.rawValue) })),
            ("hold", hold.map { .string($0) } ?? .null),
        ]
        if !extra.isEmpty {
            let taken = Set(
                pairs.map(\.0) + ["path", "ready", "progress", "blockers", "needs_attention", "effective_execution", "effective_branches"])
            for entry in extra where !taken.contains(entry.key) {
                pairs.append((entry.key, entry.value.json))
            }
        }
        pairs.append(("path", .string(path)))
        return .object(pairs)
    }

    private func extraValue(_ key: String) -> JSONValue {
        extra.last { $0.key == key }?.value.json ?? .null
    }
}

extension YAMLValue {
    /// Plain scalars stay strings: orange does not guess types for keys it does not own.
    public var json: JSONValue {
        switch self {
        case .null: return .null
        case .string(let s), .plain(let s): return .string(s)
        case .list(let items): return .array(items.map(\.json))
        }
    }
}
