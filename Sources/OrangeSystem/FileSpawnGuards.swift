import OrangeCore

/// The spawn guards in the task's folder: `.spawn.lock` (an flock) and `.spawning`; and a list
/// of the markers down, `$ORANGE_HOME/spawning/<project>/<id>`, so a reconcile finds them by
/// listing one folder instead of checking every task's (docs/decisions.md, "The spawn
/// markers' list"). The entry goes down before the marker and is removed after it, so every
/// marker has one; an entry without a marker (a crash in between) only costs a check.
public struct FileSpawnGuards: SpawnGuards {
    public let layout: DataDirectory

    public init(layout: DataDirectory) { self.layout = layout }

    public func withSpawnLock<T>(_ id: TaskID, in project: ProjectName, timeoutSeconds: Double, _ body: () throws -> T) throws -> T {
        do {
            return try FileLock.withLock(layout.spawnLockFile(id, in: project), timeoutSeconds: timeoutSeconds, body)
        } catch is FileLock.Timeout {
            throw SpawnLockBusy(task: id)
        }
    }

    public func placeMarker(_ id: TaskID, in project: ProjectName, note: String) throws {
        try FileSystem.makeDirectories(markerListRoot + "/" + project.rawValue)
        try FileSystem.createEmptyFile(markerListEntry(id, in: project))
        let path = layout.spawnMarkerFile(id, in: project)
        if note.isEmpty { try FileSystem.createEmptyFile(path) } else { try AtomicFile.write(note, to: path) }
    }

    public func marker(_ id: TaskID, in project: ProjectName) -> String? {
        let path = layout.spawnMarkerFile(id, in: project)
        guard FileSystem.fileExists(path) else { return nil }
        return (try? FileSystem.readText(path)) ?? ""
    }

    public func removeMarker(_ id: TaskID, in project: ProjectName) throws {
        try FileSystem.removeTree(layout.spawnMarkerFile(id, in: project))
        try FileSystem.removeTree(markerListEntry(id, in: project))
    }

    public func markedTasks() -> [(id: TaskID, project: ProjectName)]? {
        guard FileSystem.isDirectory(markerListRoot) else { return [] }
        guard let projects = try? FileSystem.listDirectory(markerListRoot) else { return nil }
        var marked: [(id: TaskID, project: ProjectName)] = []
        for name in projects {
            guard let project = ProjectName(validating: name) else { continue }
            guard let ids = try? FileSystem.listDirectory(markerListRoot + "/" + name) else { return nil }
            marked += ids.compactMap { TaskID(validating: $0).map { (id: $0, project: project) } }
        }
        return marked
    }

    private var markerListRoot: String { layout.home + "/spawning" }
    private func markerListEntry(_ id: TaskID, in project: ProjectName) -> String {
        markerListRoot + "/" + project.rawValue + "/" + id.rawValue
    }
}
