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

    private let prefetch: StartupPrefetch

    public init(watcher: TaskTreeWatcher, tasksRoot: String, project: String?) {
        self.watcher = watcher
        self.tasksRoot = tasksRoot
        self.project = project
        prefetch = StartupPrefetch(tasksRoot: tasksRoot)
    }

    /// The watcher's `start()`, with every TASK.md it finds read meanwhile on another core; the
    /// first `read` (the start-up batch) takes those results instead of reading the files again.
    public func startWatching() throws(InotifyError) -> [WatchHint] {
        try watcher.start(whenTaskFilesFound: prefetch.submit)
    }

    /// Without bodies: nothing the engine decides or shows needs them, and a tree of long task
    /// notes would otherwise all sit in the engine's memory. ParallelMap keeps short runs on this
    /// thread.
    public func read(_ keys: [TaskKey]) -> [TaskFileRead?] {
        let ready = prefetch.take()
        var results: [TaskFileRead?] = keys.map { ready[$0] }
        // Only the files not read ahead, spread evenly over the cores.
        let missing = ready.isEmpty ? Array(keys.indices) : keys.indices.filter { results[$0] == nil }
        let root = tasksRoot
        let reads = ParallelMap.map(count: missing.count) { index in Self.readOne(keys[missing[index]], tasksRoot: root) }
        for (index, read) in zip(missing, reads) { results[index] = read }
        return results
    }

    /// One TASK.md as the engine keeps it: the body dropped on the reading thread, or the
    /// start-up run would hold every body at once.
    static func readOne(_ key: TaskKey, tasksRoot: String) -> TaskFileRead {
        let read = TaskFileReader.readWithoutBody(key, tasksRoot: tasksRoot)
        return TaskFileRead(result: read.result, compact: read.record.map(CompactTaskRecord.init))
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
