/// A TASK.md that could not be read, reported with where and why. Never rewritten by orange.
public struct InvalidTaskFile: Hashable, Sendable, CustomStringConvertible {
    public var path: String
    /// 1-based line of the problem, when it is tied to one.
    public var line: Int?
    public var reason: String

    public init(path: String, line: Int?, reason: String) {
        self.path = path
        self.line = line
        self.reason = reason
    }

    /// `path:line: reason`, the form compilers use, so editors can jump to it.
    public var description: String {
        if let line { return "\(path):\(line): \(reason)" }
        return "\(path): \(reason)"
    }
}

/// Every task found, plus every TASK.md that could not be read.
public struct TaskScan: Sendable {
    public var tasks: [TaskRecord]
    public var invalid: [InvalidTaskFile]

    public init(tasks: [TaskRecord], invalid: [InvalidTaskFile]) {
        self.tasks = tasks
        self.invalid = invalid
    }
}

public enum TaskStoreError: Error, Sendable, CustomStringConvertible {
    case notFound(TaskID)
    case alreadyExists(TaskID)
    case invalid(InvalidTaskFile)
    case io(path: String, reason: String)

    public var description: String {
        switch self {
        case .notFound(let id): return "task '\(id)' not found"
        case .alreadyExists(let id): return "task '\(id)' already exists"
        case .invalid(let file): return "\(file) (the file was left untouched)"
        case .io(let path, let reason): return "\(path): \(reason)"
        }
    }
}

/// The task files. Writes are atomic and every update is a read-modify-write under the task's lock,
/// so concurrent writers (CLI, engine, agents through orange) never lose each other's changes.
public protocol TaskStore: Sendable {
    /// All tasks (of one project, or all), plus the files that failed to parse.
    func scan(project: ProjectName?) throws -> TaskScan
    /// `scan` with every record's body empty (TaskStore+WithoutBodies.swift).
    func scanWithoutBodies(project: ProjectName?) throws -> TaskScan
    /// The task with this id in any project; nil when none. Throws `.invalid` for a malformed file.
    func find(_ id: TaskID) throws -> TaskRecord?
    /// Writes a new task; fails with `.alreadyExists` rather than overwrite.
    func create(_ task: TaskRecord) throws
    /// Re-reads the task under its lock, applies `change` and writes it back atomically when it
    /// changed. Returns the task before and after. A malformed file is never rewritten.
    ///
    /// When the status changes, the store writes its `status.changed` history line (who and why
    /// from `note`; the engine, now, without one) as part of the same locked write: a process
    /// killed at any point leaves either no change or the change and its line, once the next
    /// write or `recoverInterruptedWrite` has run.
    @discardableResult
    func update(_ id: TaskID, in project: ProjectName, recording note: StatusChangeNote?, _ change: (inout TaskRecord) throws -> Void)
        throws -> (before: TaskRecord, after: TaskRecord)
    /// Finishes a status write whose writer died before its history line was written. Returns
    /// whether there was one to finish.
    @discardableResult
    func recoverInterruptedWrite(_ id: TaskID, in project: ProjectName) throws -> Bool
    /// A status written to TASK.md by someone other than orange (an editor, an agent's tool, a
    /// `git pull`) has no history line: under the task's lock, when the status the history last
    /// recorded is not the file's, the line from one to the other is written (`note` says who and
    /// why). Returns whether it wrote one.
    /// Whether TASK.md was written after the last history line: only then can it hold a status
    /// the history has not recorded (orange writes its line after the file). Cheap: two stats.
    func taskFileIsNewerThanHistory(_ id: TaskID, in project: ProjectName) -> Bool
    /// Both checks above for many tasks of `project` in a row (TaskFolderChecks.swift).
    func folderChecks(in project: ProjectName) -> any TaskFolderChecks
    @discardableResult
    func recordStatusChangedOutside(_ id: TaskID, in project: ProjectName, note: StatusChangeNote) throws -> Bool
    /// Removes the task's folder.
    func delete(_ id: TaskID, in project: ProjectName) throws
    func appendHistory(_ event: HistoryEvent, for id: TaskID, in project: ProjectName) throws
    func history(of id: TaskID, in project: ProjectName) throws -> [HistoryEvent]
    /// Where the task's TASK.md lives (whether or not it exists).
    func taskFilePath(_ id: TaskID, in project: ProjectName) -> String
    /// Runs `body` holding the project's graph lock. Every write that adds or removes an edge
    /// (`blocked_by`, `parent`, a parent's `children`) reads the graph, validates and writes
    /// inside it, so two racing edits cannot each pass a check made before the other's write.
    /// Taken before any task's lock, never while holding one.
    func withGraphLock<T>(of project: ProjectName, _ body: () throws -> T) throws -> T
    /// This store, telling `observer` of every TASK.md it writes: the task and the FNV-1a hash
    /// of the bytes. A store whose writes others watch (the files) tells it before the rename,
    /// so the watch engine knows its own write before the watcher's event for it can arrive
    /// (docs/watcher.md, F16); a write that then fails is corrected by the reducer's check.
    func announcingWrites(to observer: @escaping @Sendable (TaskRecord, UInt64) -> Void) -> any TaskStore
}

extension TaskStore {
    /// By default each write is told once it is done: nothing else watches an in-memory store.
    public func announcingWrites(to observer: @escaping @Sendable (TaskRecord, UInt64) -> Void) -> any TaskStore {
        WriteAnnouncingTaskStore(base: self, observer: observer)
    }

    /// `update` with no note: a status change is recorded as the engine's.
    @discardableResult
    public func update(_ id: TaskID, in project: ProjectName, _ change: (inout TaskRecord) throws -> Void) throws -> (
        before: TaskRecord, after: TaskRecord
    ) {
        try update(id, in: project, recording: nil, change)
    }
}
