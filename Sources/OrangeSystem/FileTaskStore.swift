import Glibc
import OrangeCore
import Synchronization

/// The task files under `$ORANGE_HOME/tasks/<project>/<id>/`.
///
/// Every TASK.md write happens under the task's `flock` (`<task>/.lock`) and is atomic; an update
/// re-reads the file inside the lock, so concurrent writers (CLI, engine, agents through orange)
/// never lose each other's change. A file that does not parse is reported with its line and never
/// written. Project and task folders must be real folders: a symlink there is reported, never
/// followed. Reading (`scan`, `find`) lives in FileTaskStore+Reading.swift.
public struct FileTaskStore: TaskStore {
    public var layout: DataDirectory
    /// How long a write waits for another writer of the same task before giving up.
    public var lockTimeoutSeconds: Double
    /// Told of each TASK.md just before it is renamed into place (`announcingWrites`).
    var willRename: (@Sendable (TaskRecord, UInt64) -> Void)?

    public init(layout: DataDirectory, lockTimeoutSeconds: Double = 30) {
        self.layout = layout
        self.lockTimeoutSeconds = lockTimeoutSeconds
    }

    /// Announces before the rename: the watcher's event for the file can then never be handled
    /// before the engine knows the write is its own.
    public func announcingWrites(to observer: @escaping @Sendable (TaskRecord, UInt64) -> Void) -> any TaskStore {
        var store = self
        store.willRename = observer
        return store
    }

    /// The bytes of `task`'s TASK.md, announced to `willRename`.
    func bytesToWrite(_ task: TaskRecord) -> [UInt8] {
        let bytes = Array(task.rendered().utf8)
        willRename?(task, TaskFileHash.hash(bytes))
        return bytes
    }

    /// Prefix of the name a task folder is renamed to before it is removed; `scan` skips these.
    static let trashPrefix = TransientFileNames.deletedTaskPrefix
    private static let trashCounter = Atomic<Int>(0)

    public func taskFilePath(_ id: TaskID, in project: ProjectName) -> String {
        layout.taskFile(id, in: project)
    }

    public func create(_ task: TaskRecord) throws {
        let projectFolder = layout.projectTasksDirectory(task.project)
        let directory = layout.taskDirectory(task.id, in: task.project)
        try FileSystem.makeDirectories(projectFolder, mode: mode_t(DataDirectory.directoryMode))
        try requireRealFolder(projectFolder)
        guard FileSystem.status(directory) == nil else { return try createInExistingFolder(task) }
        // The folder appears whole, its TASK.md inside: a process killed half way leaves a hidden
        // folder the next engine start or `doctor --fix` removes, never a task folder without
        // its file (which doctor must report and cannot repair). Nobody else can see the task
        // before the rename, so no task lock is needed until then.
        let n = Self.newFolderCounter.wrappingAdd(1, ordering: .relaxed).oldValue
        let staging = projectFolder + "/" + TransientFileNames.newTaskFolder(task.id, pid: getpid(), counter: n)
        do {
            try FileSystem.makeDirectories(staging, mode: mode_t(DataDirectory.directoryMode))
            // The lock file comes with the folder, as the task's lock would have made it: a
            // folder a person later makes read-only still lets writers lock, and fail on TASK.md.
            let lockName = AtomicFile.split(layout.taskLockFile(task.id, in: task.project)).name
            try FileSystem.createEmptyFile(staging + "/" + lockName)
            let file = layout.taskFile(task.id, in: task.project)
            try AtomicFile.write(bytesToWrite(task), to: staging + "/" + AtomicFile.split(file).name, mode: mode_t(DataDirectory.fileMode))
            let renamed = Result { () throws(SystemError) in try FileSystem.rename(staging, to: directory) }
            if case .failure(let error) = renamed {
                // Something took the name meanwhile (rename replaces only an empty folder).
                if [ENOTEMPTY, EEXIST, ENOTDIR].contains(error.errno) { throw TaskStoreError.alreadyExists(task.id) }
                throw error
            }
            try AtomicFile.syncDirectory(projectFolder, of: directory)
        } catch {
            try? FileSystem.removeTree(staging)
            throw error
        }
    }

    private static let newFolderCounter = Atomic<Int>(0)

    /// A create into a folder that is already there (made by hand, or left empty): written in
    /// place under the task's lock, never over a TASK.md.
    private func createInExistingFolder(_ task: TaskRecord) throws {
        let directory = layout.taskDirectory(task.id, in: task.project)
        try requireRealFolder(directory)
        try withTaskLock(task.id, in: task.project) {
            let path = layout.taskFile(task.id, in: task.project)
            // lstat, not access: a dangling symlink named TASK.md is still something not to replace.
            if FileSystem.status(path) != nil { throw TaskStoreError.alreadyExists(task.id) }
            try AtomicFile.write(bytesToWrite(task), to: path, mode: mode_t(DataDirectory.fileMode))
        }
    }

    @discardableResult
    public func update(
        _ id: TaskID, in project: ProjectName, recording note: StatusChangeNote?, _ change: (inout TaskRecord) throws -> Void
    ) throws -> (before: TaskRecord, after: TaskRecord) {
        let path = layout.taskFile(id, in: project)
        try requireExistingTask(id, in: project)
        return try withTaskLock(id, in: project) {
            try finishInterruptedWrite(id, in: project)
            // Editors and agents save TASK.md without orange's lock. A save that lands between
            // this read and the rename below would be undone by it, so the rename happens only
            // if the file is still the one read; otherwise the change is made again on the
            // newer file, after a short pause. A file that never holds still (a writer saving
            // in a loop) gets the last attempt unconditionally, as an update always did before.
            var attempt = 0
            while true {
                attempt += 1
                let seen = FileSystem.status(path)
                // Re-read inside the lock: the copy a caller read earlier may be stale by now.
                let before = try load(id, in: project)
                var after = before
                try change(&after)
                guard after.id == before.id, after.project == before.project else {
                    throw TaskStoreError.io(
                        path: path,
                        reason: "a task's id and project cannot be changed (asked: id '\(after.id)', project '\(after.project)')")
                }
                // An unchanged task is not written: a write would wake the watcher for nothing.
                guard after != before else { return (before, after) }
                let unchanged: (() -> Bool)? = attempt < Self.updateAttempts ? { FileSystem.status(path) == seen } : nil
                guard after.status != before.status else {
                    if try AtomicFile.write(bytesToWrite(after), to: path, onlyIf: unchanged) { return (before, after) }
                    usleep(useconds_t(attempt * 1_000))
                    continue
                }
                let line = (note ?? StatusChangeNote(by: .engine, at: SystemClock().now())).event(from: before.status, to: after.status)
                if try writeRecordingStatus(after, line: line, to: path, onlyIf: unchanged) {
                    return (before, after)
                }
                usleep(useconds_t(attempt * 1_000))
            }
        }
    }

    /// How many times an update is tried before it is written whatever another writer did.
    static let updateAttempts = 8

    public func delete(_ id: TaskID, in project: ProjectName) throws {
        try requireExistingFolder(id, in: project)
        try withTaskLock(id, in: project) { try removeAside(id, in: project) }
    }

    /// Renames the task's folder aside first, so no reader ever sees it half removed, then
    /// removes it without following any link inside it. The caller holds the task's lock.
    private func removeAside(_ id: TaskID, in project: ProjectName) throws {
        let n = Self.trashCounter.wrappingAdd(1, ordering: .relaxed).oldValue
        let trash = layout.projectTasksDirectory(project) + "/" + TransientFileNames.deletedTaskFolder(id, pid: getpid(), counter: n)
        try FileSystem.rename(layout.taskDirectory(id, in: project), to: trash)
        try FileSystem.removeTree(trash)
    }

    public func appendHistory(_ event: HistoryEvent, for id: TaskID, in project: ProjectName) throws {
        try requireExistingFolder(id, in: project)
        // One write per line on O_APPEND: concurrent appenders never interleave, no lock needed.
        let appended = Result { () throws(SystemError) in
            try AtomicFile.appendLine(
                event.json.rendered(), to: layout.historyFile(id, in: project),
                mode: mode_t(DataDirectory.fileMode), sync: true)
        }
        switch appended {
        case .success: return
        case .failure(let error) where error.errno == ENOENT: throw TaskStoreError.notFound(id)  // deleted meanwhile
        case .failure(let error): throw error
        }
    }

    public func history(of id: TaskID, in project: ProjectName) throws -> [HistoryEvent] {
        let path = layout.historyFile(id, in: project)
        let bytes: [UInt8]
        switch Result(catching: { () throws(SystemError) in try FileSystem.readBytes(path) }) {
        case .success(let read): bytes = read
        case .failure(let error) where error.errno == ENOENT: return []
        case .failure(let error): throw error
        }
        // A torn or hand-edited line is skipped, never fatal: history is a record, not state.
        return bytes.split(separator: UInt8(ascii: "\n")).compactMap { HistoryEvent(jsonLine: $0) }
    }

    public func withGraphLock<T>(of project: ProjectName, _ body: () throws -> T) throws -> T {
        // The project's folder may not exist before its first task.
        let folder = layout.projectTasksDirectory(project)
        try FileSystem.makeDirectories(folder, mode: mode_t(DataDirectory.directoryMode))
        try requireRealFolder(folder)
        return try FileLock.withLock(layout.graphLockFile(project), timeoutSeconds: lockTimeoutSeconds, body)
    }

    // MARK: - Helpers

    /// Runs `body` under the task's lock. A task folder that disappears while waiting (deleted
    /// by another process) is `.notFound`, not a raw `open: No such file or directory`.
    func withTaskLock<T>(_ id: TaskID, in project: ProjectName, _ body: () throws -> T) throws -> T {
        let lockPath = layout.taskLockFile(id, in: project)
        do {
            return try FileLock.withLock(lockPath, timeoutSeconds: lockTimeoutSeconds, body)
        } catch let error as SystemError where error.path == lockPath && error.errno == ENOENT {
            throw TaskStoreError.notFound(id)
        }
    }

    /// The task's folder exists and is a real folder.
    func requireExistingFolder(_ id: TaskID, in project: ProjectName) throws {
        let directory = layout.taskDirectory(id, in: project)
        guard let info = FileSystem.status(directory) else { throw TaskStoreError.notFound(id) }
        guard info.isDirectory else {
            throw TaskStoreError.invalid(InvalidTaskFile(path: directory, line: nil, reason: Self.notAFolder(info)))
        }
    }

    /// The task's folder and TASK.md exist.
    func requireExistingTask(_ id: TaskID, in project: ProjectName) throws {
        try requireExistingFolder(id, in: project)
        guard FileSystem.status(layout.taskFile(id, in: project)) != nil else { throw TaskStoreError.notFound(id) }
    }

    func requireRealFolder(_ path: String) throws {
        guard let info = FileSystem.status(path) else { throw TaskStoreError.io(path: path, reason: "folder vanished") }
        guard info.isDirectory else {
            throw TaskStoreError.invalid(InvalidTaskFile(path: path, line: nil, reason: Self.notAFolder(info)))
        }
    }

    static func notAFolder(_ info: FileStatus) -> String {
        info.isSymbolicLink
            ? "is a symbolic link; orange does not follow links in its task folders"
            : "is not a folder"
    }
}
