import Glibc
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
            Self.answer(TaskFileReader.readWithoutBody(keys[index], tasksRoot: root))
        }
    }

    /// A read as the driver takes it, compact. Made on the reading thread, without the body: the
    /// start-up run would otherwise hold every body at once.
    private static func answer(_ read: (result: FileReadResult, record: TaskRecord?)) -> TaskFileRead {
        TaskFileRead(result: read.result, compact: read.record.map(CompactTaskRecord.init))
    }

    /// `read` of every slice on both cores, the next slices read while the caller folds one in
    /// (`ReadAhead`): the loop thread's share of the start-up no longer leaves a core idle.
    /// Each task is read from its project's open folder, with the catch-up's look at its
    /// history (`StartUpHistoryCheck`) made from that folder too.
    public func readAtStartUp(
        _ keys: [TaskKey], sliceSize: Int, _ take: (_ slice: ArraySlice<TaskKey>, _ answers: [TaskFileRead?]) -> Void
    ) {
        let slices = startUpSlices(of: keys.count, sliceSize: sliceSize)
        let root = tasksRoot
        ReadAhead.run(count: slices.count) { index in
            Self.readAtStartUp(keys[slices[index]], tasksRoot: root)
        } consume: { index, answers in
            take(keys[slices[index]], answers)
        }
    }

    /// One slice of `readAtStartUp`: each task's three files are opened or looked at from its
    /// project's open folder, `<id>/TASK.md` and its history's two. Opening the task's own
    /// folder for them cost an `openat` and a `close` more per task than it saved in lookups.
    /// A project folder that cannot be opened is read by its path, as by `read`.
    private static func readAtStartUp(_ keys: ArraySlice<TaskKey>, tasksRoot root: String) -> [TaskFileRead?] {
        // The keys come sorted: one open folder per project of the slice.
        var opened: [(project: String, fd: Int32)] = []
        for key in keys where opened.last?.project != key.project && !opened.contains(where: { $0.project == key.project }) {
            opened.append((key.project, Glibc.open(root + "/" + key.project, O_RDONLY | O_DIRECTORY | O_CLOEXEC)))
        }
        let folders = opened
        defer { for folder in folders where folder.fd >= 0 { closeDescriptor(folder.fd) } }
        return ParallelMap.map(count: keys.count) { offset -> TaskFileRead? in
            let key = keys[keys.startIndex + offset]
            let project = folders.first(where: { $0.project == key.project })?.fd ?? -1
            guard project >= 0 else { return Self.answer(TaskFileReader.readWithoutBody(key, tasksRoot: root)) }
            let read = TaskFileReader.readWithoutBody(key, tasksRoot: root, projectFolder: project)
            var answer = Self.answer(read)
            if let record = read.record, case .parsed(let fingerprint, _) = read.result {
                answer.historyAgrees = StartUpHistoryCheck.historyAgrees(
                    of: key.taskID, inProject: project, status: record.status, taskFileModified: fingerprint.mtimeNanoseconds)
            }
            return answer
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
