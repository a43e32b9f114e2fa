import Glibc
import OrangeCore

/// The catch-up's per-task file checks from the project's open folder.
///
/// At 100,000 tasks the start-up catch-up made three `lstat`s per task through whole paths
/// (`$ORANGE_HOME/tasks/<project>/<id>/<file>`), the kernel looking up every folder of the path
/// each time. Looked up from a descriptor of `tasks/<project>`, each check walks only
/// `<id>/<file>` (docs/performance.md, section 5). The answers are the ones of the path calls:
/// the same `lstat` semantics (`AT_SYMLINK_NOFOLLOW`), and a project folder that cannot be opened
/// as a real folder (missing, a symlink) falls back to them.
extension FileTaskStore {
    public func folderChecks(in project: ProjectName) -> any TaskFolderChecks {
        let folder = open(layout.projectTasksDirectory(project), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard folder >= 0 else { return StoreTaskFolderChecks(store: self, project: project) }
        return OpenFolderTaskChecks(store: self, project: project, folder: folder)
    }
}

/// The checks of one project's tasks, relative to its open `tasks/<project>` folder (closed with
/// the checks).
final class OpenFolderTaskChecks: TaskFolderChecks {
    let store: FileTaskStore
    let project: ProjectName
    let folder: Int32

    init(store: FileTaskStore, project: ProjectName, folder: Int32) {
        self.store = store
        self.project = project
        self.folder = folder
    }

    deinit { closeDescriptor(folder) }

    func recoverInterruptedWriteThenCheckNewer(_ id: TaskID) throws -> Bool {
        // A journal left by a dead writer: the store's own calls, which take the task's lock,
        // look again under it and may change both files.
        if FileSystem.status(id.rawValue + "/" + FileTaskStore.journalName, in: folder) != nil {
            _ = try store.recoverInterruptedWrite(id, in: project)
            return store.taskFileIsNewerThanHistory(id, in: project)
        }
        return FileTaskStore.taskFile(FileSystem.status(id.rawValue + "/TASK.md", in: folder)) {
            FileSystem.status(id.rawValue + "/history.jsonl", in: folder)
        }
    }

    /// From the history's end: only the last lines that settle it are read and parsed.
    func lastRecordedStatus(_ id: TaskID) -> TaskStatus? {
        HistoryTail.lastRecordedStatus(id.rawValue + "/history.jsonl", in: folder)
    }
}
