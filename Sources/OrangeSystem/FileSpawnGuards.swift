import OrangeCore

/// The spawn guards in the task's folder: `.spawn.lock` (an flock) and `.spawning`.
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
    }
}
