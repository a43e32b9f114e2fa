/// One task, as stored in `tasks/<project>/<id>/TASK.md`.
///
/// Named `TaskRecord` to stay clear of Swift's concurrency `Task`. Front matter keys orange does
/// not know are kept in `extra`, in file order, and written back unchanged; the body is kept
/// byte for byte.
public struct TaskRecord: Hashable, Sendable {
    public var id: TaskID
    public var project: ProjectName
    public var branch: String
    public var harness: String
    public var status: TaskStatus
    public var description: String
    /// The parent task when this is a sub-task (`parent:`).
    public var parent: TaskID?
    /// Tasks that must be `done` before this one is ready (`blocked_by:`).
    public var blockedBy: [TaskID]
    /// Sub-tasks this task delegated to (`children:`).
    public var children: [TaskID]
    /// The pooled worktree bound to the task (`<project>--<n>`), if any.
    public var workspace: String?
    public var tmuxSession: String?
    public var createdAt: Timestamp?
    public var updatedAt: Timestamp?
    public var prURL: String?
    /// How many spawns in a row have failed; written only when non-zero.
    public var spawnFailures: Int
    /// The last error orange recorded for this task (a failed spawn, a lost session); written only when set.
    public var lastError: String?
    /// After a failed spawn, the engine does not try again before this time; written only when set.
    public var spawnRetryAt: Timestamp?
    /// How many times the task's agent died without reporting since a person last started it;
    /// written only when non-zero. The first death is respawned, the second makes the task stuck.
    public var agentCrashes: Int
    /// How this task's sub-tree runs (`execution:`); nil inherits (written only when set).
    public var execution: ExecutionMode?
    /// Where this task's sub-tasks branch from and merge to (`branches:`); nil inherits.
    public var branches: BranchModel?
    /// Done children this (sequential) parent was given a reassess turn for (`reassessed:`,
    /// written only when non-empty).
    public var reassessed: [TaskID]
    /// A person's hold (`hold:`): nil when not held, "" when held without a reason (`hold: true`),
    /// else the reason. A held pending task is not ready, whatever else changes; a hold never
    /// stops a running agent. Written only when set.
    public var hold: String?
    /// Front matter keys orange does not own, in file order.
    public var extra: [FrontmatterEntry]
    /// The Markdown after the front matter, byte for byte.
    public var body: String

    public init(
        id: TaskID, project: ProjectName, branch: String, harness: String = "claude",
        status: TaskStatus = .pending, description: String = "", parent: TaskID? = nil,
        blockedBy: [TaskID] = [], children: [TaskID] = [], workspace: String? = nil,
        tmuxSession: String? = nil, createdAt: Timestamp? = nil, updatedAt: Timestamp? = nil,
        prURL: String? = nil, spawnFailures: Int = 0, lastError: String? = nil,
        spawnRetryAt: Timestamp? = nil, agentCrashes: Int = 0, execution: ExecutionMode? = nil,
        branches: BranchModel? = nil, reassessed: [TaskID] = [], hold: String? = nil, extra: [FrontmatterEntry] = [], body: String = ""
    ) {
        self.id = id
        self.project = project
        self.branch = branch
        self.harness = harness
        self.status = status
        self.description = description
        self.parent = parent
        self.blockedBy = blockedBy
        self.children = children
        self.workspace = workspace
        self.tmuxSession = tmuxSession
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.prURL = prURL
        self.spawnFailures = spawnFailures
        self.lastError = lastError
        self.spawnRetryAt = spawnRetryAt
        self.agentCrashes = agentCrashes
        self.execution = execution
        self.branches = branches
        self.reassessed = reassessed
        self.hold = hold
        self.extra = extra
        self.body = body
    }

    /// The keys orange owns, in the order they are written.
    public static let knownKeys: [String] = [
        "id", "project", "branch", "harness", "status", "description", "parent", "blocked_by", "children",
        "workspace", "tmux_session", "created_at", "updated_at", "pr_url", "spawn_failures", "last_error",
        "spawn_retry_at", "agent_crashes", "execution", "branches", "reassessed", "hold",
    ]

    /// `held` or `held: <reason>`, nil when not held.
    public var holdText: String? {
        hold.map { $0.isEmpty ? "held" : "held: \($0)" }
    }

    /// The record with an empty body: what a long-running holder of every task (the engine)
    /// keeps, so its memory does not grow with the notes written in TASK.md files. Never to be
    /// written back; writes re-read the file under the task's lock.
    public var withoutBody: TaskRecord {
        var record = self
        record.body = ""
        return record
    }

    /// Each known key's position in `knownKeys`.
    static let knownKeyPositions: [String: Int] = Dictionary(
        uniqueKeysWithValues: knownKeys.enumerated().map { ($0.element, $0.offset) })
}
