import OrangeCore

/// The task tree as the watch driver sees it in production: TASK.md files read and parsed on
/// every core, `lstat`s, and listings through the inotify watcher (so a resync also re-adds the
/// watches lost with the events, F9).
public struct WatchedTaskTree: TaskTreeSource {
    public let watcher: TaskTreeWatcher
    /// `<home>/tasks`.
    public let tasksRoot: String
    /// Only this project (`orange watch --project`); nil: every project.
    public let project: String?

    public init(watcher: TaskTreeWatcher, tasksRoot: String, project: String?) {
        self.watcher = watcher
        self.tasksRoot = tasksRoot
        self.project = project
    }

    /// Without bodies: nothing the engine decides or shows needs them, and a tree of long task
    /// notes would otherwise all sit in the engine's memory. ParallelMap keeps short runs on this
    /// thread.
    public func read(_ keys: [TaskKey]) -> [TaskFileRead?] {
        let root = tasksRoot
        return ParallelMap.map(count: keys.count) { index -> TaskFileRead? in
            // Dropped on the reading thread: the start-up run would otherwise hold every body at once.
            let read = TaskFileReader.readWithoutBody(keys[index], tasksRoot: root)
            return TaskFileRead(result: read.result, compact: read.record.map(CompactTaskRecord.init))
        }
    }

    public func stat(_ key: TaskKey) -> FileFingerprint? {
        TaskFileReader.fingerprint(TaskFileReader.file(key, tasksRoot: tasksRoot))
    }

    public func resync() -> [TaskKey] {
        watcher.resync().compactMap { hint in
            guard case .taskFile(let project, let id, .appeared) = hint else { return nil }
            return TaskKey(project: project, taskID: id)
        }
    }

    public func allTaskKeys() -> [TaskKey] {
        var keys: [TaskKey] = []
        let projects = project.map { [$0] } ?? ((try? FileSystem.listDirectory(tasksRoot)) ?? [])
        for project in projects where TaskTreeNames.isCandidateDirectory(project) {
            for id in (try? FileSystem.listDirectory(tasksRoot + "/" + project)) ?? [] where TaskTreeNames.isCandidateDirectory(id) {
                if FileSystem.fileExists(tasksRoot + "/\(project)/\(id)/TASK.md") {
                    keys.append(TaskKey(project: project, taskID: id))
                }
            }
        }
        return keys
    }
}
