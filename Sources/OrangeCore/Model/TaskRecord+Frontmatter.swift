/// Mapping between a `TaskRecord` and the front matter of its TASK.md.
///
/// Reading validates every key orange owns (ids and names build paths and command lines) and
/// keeps every other key, in order, in `extra`; writing puts the known keys first in
/// `TaskRecord.knownKeys` order, then the extra keys, then the body unchanged.
extension TaskRecord {
    /// Builds a record from parsed front matter; errors carry the line of the offending key.
    public init(document: FrontmatterDocument) throws(FrontmatterError) {
        try self.init(fields: TaskRecordFields(document), body: document.body)
    }

    /// The record of entries already sorted by key (`TaskRecordFields`), with `body`.
    init(fields: TaskRecordFields, body: String) throws(FrontmatterError) {
        let id = try fields.taskID(.id)
        self.init(
            id: id,
            project: try fields.project(),
            branch: try fields.branch(defaultFor: id),
            harness: try fields.pattern(.harness, maxLength: 64) ?? "claude",
            status: try fields.status(),
            description: try fields.text(.description) ?? "",
            parent: try fields.optionalTaskID(.parent),
            blockedBy: try fields.taskIDList(.blockedBy),
            children: try fields.taskIDList(.children),
            workspace: try fields.pattern(.workspace, maxLength: 128),
            tmuxSession: try fields.sessionName(),
            createdAt: try fields.timestamp(.createdAt),
            updatedAt: try fields.timestamp(.updatedAt),
            prURL: try fields.text(.prURL),
            spawnFailures: try fields.count(.spawnFailures),
            lastError: try fields.text(.lastError),
            spawnRetryAt: try fields.timestamp(.spawnRetryAt),
            agentCrashes: try fields.count(.agentCrashes),
            execution: try fields.choice(.execution, ExecutionMode.self),
            branches: try fields.choice(.branches, BranchModel.self),
            reassessed: try fields.taskIDList(.reassessed),
            hold: try fields.hold(),
            extra: fields.extra,
            body: body
        )
    }

    /// The front matter orange writes for this record (see `knownKeys` for the order).
    public func document() -> FrontmatterDocument {
        var entries: [FrontmatterEntry] = []
        func add(_ key: String, _ value: YAMLValue) {
            entries.append(FrontmatterEntry(key: key, value: value))
        }
        func optional(_ text: String?) -> YAMLValue { text.map(YAMLValue.string) ?? .null }
        add("id", .string(id.rawValue))
        add("project", .string(project.rawValue))
        add("branch", .string(branch))
        add("harness", .string(harness))
        add("status", .string(status.rawValue))
        add("description", .string(description))
        add("parent", optional(parent?.rawValue))
        add("blocked_by", .list(blockedBy.map { .string($0.rawValue) }))
        add("children", .list(children.map { .string($0.rawValue) }))
        add("workspace", optional(workspace))
        add("tmux_session", optional(tmuxSession))
        if let createdAt { add("created_at", .string(createdAt.rfc3339)) }
        if let updatedAt { add("updated_at", .string(updatedAt.rfc3339)) }
        if let prURL { add("pr_url", .string(prURL)) }
        if spawnFailures > 0 { add("spawn_failures", .plain(String(spawnFailures))) }
        if let lastError { add("last_error", .string(lastError)) }
        if let spawnRetryAt { add("spawn_retry_at", .string(spawnRetryAt.rfc3339)) }
        if agentCrashes > 0 { add("agent_crashes", .plain(String(agentCrashes))) }
        if let execution { add("execution", .plain(execution.rawValue)) }
        if let branches { add("branches", .plain(branches.rawValue)) }
        if !reassessed.isEmpty { add("reassessed", .list(reassessed.map { .string($0.rawValue) })) }
        if let hold { add("hold", hold.isEmpty ? .plain("true") : .string(hold)) }
        // An extra entry named like a known key would be written twice and make the file
        // unreadable; the known field is the truth.
        entries += extra.filter { TaskRecord.knownKeyPositions[$0.key] == nil }
        return FrontmatterDocument(entries: entries, body: body)
    }

    /// Parses a whole TASK.md into a record.
    public static func parse(_ text: String) throws(FrontmatterError) -> TaskRecord {
        try TaskRecord(document: FrontmatterCodec.parse(text))
    }

    /// The whole TASK.md text for this record.
    public func rendered() -> String {
        FrontmatterCodec.render(document())
    }
}

/// One of orange's keys, by its position in `TaskRecord.knownKeys`: each field is found without
/// hashing its name (a TASK.md asks for about forty).
struct KnownTaskKey {
    let position: Int
    var name: String { TaskRecord.knownKeys[position] }

    private init(_ name: String) { position = TaskRecord.knownKeyPositions[name]! }

    static let id = Self("id"), project = Self("project"), branch = Self("branch"), harness = Self("harness")
    static let status = Self("status"), description = Self("description"), parent = Self("parent")
    static let blockedBy = Self("blocked_by"), children = Self("children"), workspace = Self("workspace")
    static let tmuxSession = Self("tmux_session"), createdAt = Self("created_at"), updatedAt = Self("updated_at")
    static let prURL = Self("pr_url"), spawnFailures = Self("spawn_failures"), lastError = Self("last_error")
    static let spawnRetryAt = Self("spawn_retry_at"), agentCrashes = Self("agent_crashes"), execution = Self("execution")
    static let branches = Self("branches"), reassessed = Self("reassessed"), hold = Self("hold")
}

/// Typed access to the known keys of a document, with errors that name the key and its line.
struct TaskRecordFields {
    /// The entry of each known key, by its position in `TaskRecord.knownKeys`.
    private var known: [FrontmatterEntry?]
    /// The entries orange does not own, in file order.
    private(set) var extra: [FrontmatterEntry] = []

    /// Sorts the entries once: looking each key up in the entry list, and each entry up in the
    /// key list, took hundreds of string comparisons per file.
    init(_ document: FrontmatterDocument) {
        known = Array(repeating: nil, count: TaskRecord.knownKeys.count)
        for entry in document.entries {
            if let position = TaskRecord.knownKeyPositions[entry.key] {
                known[position] = entry
            } else {
                extra.append(entry)
            }
        }
    }

    /// Entries a reader has already sorted (`FrontmatterQuickScan`): `known` by position in
    /// `TaskRecord.knownKeys`, `extra` in file order.
    init(known: [FrontmatterEntry?], extra: [FrontmatterEntry]) {
        self.known = known
        self.extra = extra
    }

    private func field(_ key: KnownTaskKey) -> FrontmatterEntry? {
        known[key.position]
    }

    private func fail(_ entry: FrontmatterEntry, _ reason: String) -> FrontmatterError {
        FrontmatterError(line: entry.line, reason: reason)
    }

    /// The scalar text of `key`, nil when missing or null; a list is an error.
    func text(_ key: KnownTaskKey) throws(FrontmatterError) -> String? {
        guard let entry = field(key) else { return nil }
        switch entry.value {
        case .null: return nil
        case .string(let s), .plain(let s): return s
        case .list: throw fail(entry, "\(key.name) must be a single value, not a list")
        }
    }

    /// The text of `key` with its entry, nil when missing or null.
    private func textEntry(_ key: KnownTaskKey) throws(FrontmatterError) -> (String, FrontmatterEntry)? {
        guard let entry = field(key), let value = try text(key) else { return nil }
        return (value, entry)
    }

    func required(_ key: KnownTaskKey) throws(FrontmatterError) -> (String, FrontmatterEntry) {
        guard let entry = field(key) else {
            throw FrontmatterError(line: 1, reason: "missing required key '\(key.name)'")
        }
        guard let value = try text(key) else {
            throw fail(entry, "\(key.name) is required and must not be null")
        }
        return (value, entry)
    }

    func taskID(_ key: KnownTaskKey) throws(FrontmatterError) -> TaskID {
        let (value, entry) = try required(key)
        guard let id = TaskID(validating: value) else {
            throw fail(entry, "\(key.name): \(Self.shown(value)) is not a valid task id (letters and digits only)")
        }
        return id
    }

    func project() throws(FrontmatterError) -> ProjectName {
        let (value, entry) = try required(.project)
        if let problem = ProjectName.problem(with: value) { throw fail(entry, "project: \(problem)") }
        guard let name = ProjectName(validating: value) else {
            throw fail(entry, "project: \(Self.shown(value)) is not a valid project name")
        }
        return name
    }

    func status() throws(FrontmatterError) -> TaskStatus {
        let (value, entry) = try required(.status)
        guard let status = TaskStatus(rawValue: value) else {
            throw fail(entry, "status: \(Self.shown(value)) is not a status; use one of: \(TaskStatus.allNames)")
        }
        return status
    }

    func branch(defaultFor id: TaskID) throws(FrontmatterError) -> String {
        guard let (value, entry) = try textEntry(.branch) else {
            return "orange-tasks/\(id.rawValue)"
        }
        if let problem = BranchName.problem(with: value) { throw fail(entry, "branch: \(problem)") }
        return value
    }

    /// Text made of `[A-Za-z0-9._-]`, 1 to `maxLength` characters, or nil when missing or null.
    func pattern(_ key: KnownTaskKey, maxLength: Int) throws(FrontmatterError) -> String? {
        guard let (value, entry) = try textEntry(key) else { return nil }
        let allowed = value.utf8.allSatisfy {
            ($0 >= 48 && $0 <= 57) || ($0 >= 65 && $0 <= 90) || ($0 >= 97 && $0 <= 122) || $0 == 46 || $0 == 95 || $0 == 45
        }
        guard allowed, !value.isEmpty, value.utf8.count <= maxLength else {
            throw fail(entry, "\(key.name): \(Self.shown(value)) must be 1 to \(maxLength) letters, digits, '.', '_' or '-'")
        }
        return value
    }

    func sessionName() throws(FrontmatterError) -> String? {
        guard let (value, entry) = try textEntry(.tmuxSession) else { return nil }
        if value.unicodeScalars.contains(where: { $0.value < 0x20 || ($0.value >= 0x7F && $0.value <= 0x9F) }) {
            throw fail(entry, "tmux_session must not contain control characters")
        }
        return value
    }

    func optionalTaskID(_ key: KnownTaskKey) throws(FrontmatterError) -> TaskID? {
        guard let (value, entry) = try textEntry(key) else { return nil }
        guard let id = TaskID(validating: value) else {
            throw fail(entry, "\(key.name): \(Self.shown(value)) is not a valid task id (letters and digits only)")
        }
        return id
    }

    /// A list of task ids; a single id counts as a one-item list; duplicates are dropped,
    /// keeping the first.
    func taskIDList(_ key: KnownTaskKey) throws(FrontmatterError) -> [TaskID] {
        guard let entry = field(key) else { return [] }
        let items: [YAMLValue]
        switch entry.value {
        case .null: return []
        case .list(let values): items = values
        case .string, .plain: items = [entry.value]
        }
        var ids: [TaskID] = []
        ids.reserveCapacity(items.count)
        // A short list is searched: hashing each id into a set cost more than the list's few
        // comparisons.
        var seen: Set<TaskID>? = items.count > 8 ? [] : nil
        for item in items {
            guard let text = item.text else {
                throw fail(entry, "\(key.name): an item is empty (null); expected a task id (letters and digits only)")
            }
            guard let id = TaskID(validating: text) else {
                throw fail(entry, "\(key.name): \(Self.shown(text)) is not a valid task id (letters and digits only)")
            }
            if seen != nil {
                if seen!.insert(id).inserted { ids.append(id) }
            } else if !ids.contains(id) {
                ids.append(id)
            }
        }
        return ids
    }

    /// `hold:`: `true` (or an empty value) is a hold without a reason, `false` or null is no
    /// hold, any other text is the reason.
    func hold() throws(FrontmatterError) -> String? {
        guard let value = try text(.hold) else { return nil }
        let trimmed = value.trimmingSpaces()
        if trimmed == "false" { return nil }
        return trimmed == "true" ? "" : trimmed
    }

    /// One of an enum's words, or nil when missing or null.
    func choice<T: RawRepresentable & CaseIterable>(_ key: KnownTaskKey, _ type: T.Type) throws(FrontmatterError) -> T?
    where T.RawValue == String {
        guard let (value, entry) = try textEntry(key) else { return nil }
        guard let choice = T(rawValue: value) else {
            throw fail(entry, "\(key.name): \(Self.shown(value)) is not one of: " + T.allCases.map(\.rawValue).joined(separator: ", "))
        }
        return choice
    }

    func timestamp(_ key: KnownTaskKey) throws(FrontmatterError) -> Timestamp? {
        guard let (value, entry) = try textEntry(key) else { return nil }
        guard let time = Timestamp(rfc3339: value) else {
            throw fail(entry, "\(key.name): \(Self.shown(value)) is not an RFC 3339 timestamp (like 2026-02-01T04:48:33.123Z)")
        }
        return time
    }

    func count(_ key: KnownTaskKey) throws(FrontmatterError) -> Int {
        guard let (value, entry) = try textEntry(key) else { return 0 }
        guard !value.isEmpty, value.utf8.count <= 9, value.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }),
            let n = Int(value)
        else {
            throw fail(entry, "\(key.name): \(Self.shown(value)) is not a whole number (0 or more)")
        }
        return n
    }

    /// A value quoted for a message, with control characters made visible.
    static func shown(_ text: String) -> String {
        var out = "'"
        for c in text.unicodeScalars.prefix(80) {
            if c.value < 0x20 || c.value == 0x7F {
                out += "\\u{" + String(c.value, radix: 16) + "}"
            } else {
                out.unicodeScalars.append(c)
            }
        }
        return out + (text.unicodeScalars.count > 80 ? "…'" : "'")
    }
}
