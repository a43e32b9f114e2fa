import OrangeCore
import OrangeSystem
import Synchronization

/// A `TaskStore` in memory, with the file store's semantics: `.alreadyExists` on create, a
/// read-modify-write `update` that refuses id/project changes and does not write an unchanged
/// task, malformed files that are reported and never rewritten. `writes` counts task writes so
/// tests can check that nothing was written.
public final class InMemoryTaskStore: TaskStore, Sendable {
    private struct Key: Hashable {
        var project: ProjectName
        var id: TaskID
    }

    private struct State {
        var tasks: [Key: TaskRecord] = [:]
        var malformed: [Key: InvalidTaskFile] = [:]
        var history: [Key: [HistoryEvent]] = [:]
        var writes = 0
    }

    // Every access goes through the mutex.
    private let state = Mutex(State())
    /// The projects whose graph lock is held. `body` runs outside any mutex (it calls back into
    /// the store), so the lock is this set, waited on by yielding.
    private let graphLocks = Mutex(Set<ProjectName>())
    /// The folder shown in paths (`<root>/<project>/<id>/TASK.md`); nothing is created there.
    public let root: String

    public init(_ tasks: [TaskRecord] = [], root: String = "/in-memory/tasks") {
        self.root = root
        state.withLock { state in
            for task in tasks { state.tasks[Key(project: task.project, id: task.id)] = task }
        }
    }

    /// How many times a TASK.md would have been written (creates and changing updates).
    public var writes: Int { state.withLock { $0.writes } }

    /// Makes the task's file unreadable, as if someone had broken its front matter: scans report
    /// it, `find` and `update` throw `.invalid`.
    public func markMalformed(_ id: TaskID, in project: ProjectName, line: Int? = 1, reason: String = "broken front matter") {
        let problem = InvalidTaskFile(path: taskFilePath(id, in: project), line: line, reason: reason)
        state.withLock { state in
            let key = Key(project: project, id: id)
            state.tasks[key] = nil
            state.malformed[key] = problem
        }
    }

    public func taskFilePath(_ id: TaskID, in project: ProjectName) -> String {
        "\(root)/\(project)/\(id)/TASK.md"
    }

    public func scan(project: ProjectName?) throws -> TaskScan {
        state.withLock { state in
            let tasks = state.tasks.values.filter { project == nil || $0.project == project }.sorted { a, b in
                let x = a.createdAt?.millisecondsSinceEpoch ?? Int64.min, y = b.createdAt?.millisecondsSinceEpoch ?? Int64.min
                return x != y ? x < y : a.id < b.id
            }
            let invalid = state.malformed.filter { project == nil || $0.key.project == project }.values.sorted { $0.path < $1.path }
            return TaskScan(tasks: tasks, invalid: invalid)
        }
    }

    public func find(_ id: TaskID) throws -> TaskRecord? {
        try state.withLock { state throws -> TaskRecord? in
            // Projects in name order, as the file store lists folders.
            let keys = (Array(state.tasks.keys) + Array(state.malformed.keys)).filter { $0.id == id }.sorted { $0.project < $1.project }
            guard let key = keys.first else { return nil }
            if let problem = state.malformed[key] { throw TaskStoreError.invalid(problem) }
            return state.tasks[key]
        }
    }

    public func create(_ task: TaskRecord) throws {
        try state.withLock { state throws in
            let key = Key(project: task.project, id: task.id)
            guard state.tasks[key] == nil, state.malformed[key] == nil else { throw TaskStoreError.alreadyExists(task.id) }
            state.tasks[key] = task
            state.writes += 1
        }
    }

    @discardableResult
    public func update(
        _ id: TaskID, in project: ProjectName, recording note: StatusChangeNote?, _ change: (inout TaskRecord) throws -> Void
    ) throws -> (before: TaskRecord, after: TaskRecord) {
        let key = Key(project: project, id: id)
        // `change` runs outside the mutex (it may call back into the store); the result is
        // committed only if nobody wrote in between, else the change is applied again to the
        // newer task: the same no-lost-update guarantee as the file lock.
        while true {
            let before = try state.withLock { state throws -> TaskRecord in
                if let problem = state.malformed[key] { throw TaskStoreError.invalid(problem) }
                guard let task = state.tasks[key] else { throw TaskStoreError.notFound(id) }
                return task
            }
            var after = before
            try change(&after)
            guard after.id == before.id, after.project == before.project else {
                throw TaskStoreError.io(
                    path: taskFilePath(id, in: project),
                    reason: "a task's id and project cannot be changed (asked: id '\(after.id)', project '\(after.project)')")
            }
            let committed = state.withLock { state -> Bool in
                guard state.tasks[key] == before else { return false }
                if after != before {
                    state.tasks[key] = after
                    state.writes += 1
                    if after.status != before.status {
                        let note = note ?? StatusChangeNote(by: .engine, at: after.updatedAt ?? Timestamp(millisecondsSinceEpoch: 0))
                        state.history[key, default: []].append(note.event(from: before.status, to: after.status))
                    }
                }
                return true
            }
            if committed { return (before, after) }
        }
    }

    public func withGraphLock<T>(of project: ProjectName, _ body: () throws -> T) throws -> T {
        // Held only for an in-memory check and write: a millisecond's wait is plenty.
        while !graphLocks.withLock({ $0.insert(project).inserted }) { SystemClock().sleep(milliseconds: 1) }
        defer { _ = graphLocks.withLock { $0.remove(project) } }
        return try body()
    }

    public func delete(_ id: TaskID, in project: ProjectName) throws {
        try state.withLock { state throws in
            let key = Key(project: project, id: id)
            guard state.tasks[key] != nil || state.malformed[key] != nil else { throw TaskStoreError.notFound(id) }
            state.tasks[key] = nil
            state.malformed[key] = nil
            state.history[key] = nil
        }
    }

    public func taskFileIsNewerThanHistory(_ id: TaskID, in project: ProjectName) -> Bool { true }

    public func recordStatusChangedOutside(_ id: TaskID, in project: ProjectName, note: StatusChangeNote) throws -> Bool {
        let key = Key(project: project, id: id)
        return state.withLock { state in
            guard let task = state.tasks[key] else { return false }
            let recorded = (state.history[key] ?? []).lastRecordedStatus
            guard recorded != task.status else { return false }
            state.history[key, default: []].append(note.event(from: recorded, to: task.status))
            return true
        }
    }

    /// Nothing is ever left half written in memory.
    public func recoverInterruptedWrite(_ id: TaskID, in project: ProjectName) throws -> Bool { false }

    public func appendHistory(_ event: HistoryEvent, for id: TaskID, in project: ProjectName) throws {
        try state.withLock { state throws in
            let key = Key(project: project, id: id)
            guard state.tasks[key] != nil || state.malformed[key] != nil else { throw TaskStoreError.notFound(id) }
            state.history[key, default: []].append(event)
        }
    }

    public func history(of id: TaskID, in project: ProjectName) throws -> [HistoryEvent] {
        state.withLock { $0.history[Key(project: project, id: id)] ?? [] }
    }
}
