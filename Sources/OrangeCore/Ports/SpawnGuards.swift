/// Each task's spawn lock, held while its agent is started or stopped, and its `.spawning`
/// marker, present from a spawn's claim to its end: a marker whose lock nobody holds is a spawn
/// that died half way, for `Spawner.repairInterrupted` to undo.
public protocol SpawnGuards: Sendable {
    /// Runs `body` holding the task's spawn lock; throws `SpawnLockBusy` when another holder
    /// still has it after `timeoutSeconds` (0: do not wait).
    func withSpawnLock<T>(_ id: TaskID, in project: ProjectName, timeoutSeconds: Double, _ body: () throws -> T) throws -> T
    /// Puts the marker down, holding `note` (empty for a plain spawn).
    func placeMarker(_ id: TaskID, in project: ProjectName, note: String) throws
    /// The marker's note; nil when there is no marker.
    func marker(_ id: TaskID, in project: ProjectName) -> String?
    func removeMarker(_ id: TaskID, in project: ProjectName) throws
    /// Every task whose marker may be down, found without looking in every task folder (a
    /// reconcile after one change must not cost one file check per task); a marker placed by
    /// an orange that kept no such list is not among them. Nil when not known: look at each task.
    func markedTasks() -> [(id: TaskID, project: ProjectName)]?
}

extension SpawnGuards {
    public func markedTasks() -> [(id: TaskID, project: ProjectName)]? { nil }
}

/// Another process holds the task's spawn lock (it is spawning or stopping the agent).
public struct SpawnLockBusy: Error, Sendable, CustomStringConvertible {
    public var task: TaskID

    public init(task: TaskID) { self.task = task }

    public var description: String { "another process is starting or stopping the agent of task '\(task)'" }
}
