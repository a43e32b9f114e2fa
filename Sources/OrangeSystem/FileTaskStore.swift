import Glibc
import OrangeCore

/// The task files under `$ORANGE_HOME/tasks`.
///
/// Every write happens under the task's `flock` (`<task>/.lock`) and is atomic; an update re-reads
/// the file inside the lock, so concurrent writers (CLI, engine) never lose each other's change.
/// A file that does not parse is reported with its line and never written.
public struct FileTaskStore: TaskStore {
    public var layout: DataDirectory

    public init(layout: DataDirectory) {
        self.layout = layout
    }

    public func taskFilePath(_ id: TaskID, in project: ProjectName) -> String {
        layout.taskFile(id, in: project)
    }

    public func scan(project: ProjectName?) throws -> TaskScan {
        var tasks: [TaskRecord] = []
        var invalid: [InvalidTaskFile] = []
        let projectNames: [String]
        if let project {
            projectNames = [project.rawValue]
        } else {
            projectNames = FileSystem.isDirectory(layout.tasksRoot) ? try FileSystem.listDirectory(layout.tasksRoot) : []
        }
        for projectName in projectNames where !projectName.hasPrefix(".") {
            let projectDirectory = layout.tasksRoot + "/" + projectName
            guard FileSystem.status(projectDirectory)?.isDirectory == true else { continue }
            guard let validProject = ProjectName(validating: projectName) else {
                invalid.append(InvalidTaskFile(path: projectDirectory, line: nil, reason: ProjectName.problem(with: projectName)!))
                continue
            }
            for folder in try FileSystem.listDirectory(projectDirectory) where !folder.hasPrefix(".") {
                let directory = projectDirectory + "/" + folder
                guard FileSystem.status(directory)?.isDirectory == true else { continue }
                guard let id = TaskID(validating: folder) else {
                    invalid.append(InvalidTaskFile(path: directory, line: nil, reason: "folder name '\(folder)' is not a valid task id (letters and digits only)"))
                    continue
                }
                // A folder without TASK.md may be a task being created right now.
                guard FileSystem.fileExists(directory + "/TASK.md") else { continue }
                do {
                    tasks.append(try load(id, in: validProject))
                } catch let TaskStoreError.invalid(problem) {
                    invalid.append(problem)
                }
            }
        }
        tasks.sort { a, b in
            let x = a.createdAt?.millisecondsSinceEpoch ?? Int64.min, y = b.createdAt?.millisecondsSinceEpoch ?? Int64.min
            return x != y ? x < y : a.id < b.id
        }
        return TaskScan(tasks: tasks, invalid: invalid)
    }

    public func find(_ id: TaskID) throws -> TaskRecord? {
        guard FileSystem.isDirectory(layout.tasksRoot) else { return nil }
        for projectName in try FileSystem.listDirectory(layout.tasksRoot) {
            guard let project = ProjectName(validating: projectName), FileSystem.fileExists(layout.taskFile(id, in: project)) else { continue }
            return try load(id, in: project)
        }
        return nil
    }

    public func create(_ task: TaskRecord) throws {
        let directory = layout.taskDirectory(task.id, in: task.project)
        try FileSystem.makeDirectories(directory)
        try FileLock.withLock(layout.taskLockFile(task.id, in: task.project)) {
            let path = layout.taskFile(task.id, in: task.project)
            if FileSystem.fileExists(path) { throw TaskStoreError.alreadyExists(task.id) }
            try AtomicFile.write(task.rendered(), to: path)
        }
    }

    @discardableResult
    public func update(_ id: TaskID, in project: ProjectName, _ change: (inout TaskRecord) throws -> Void) throws -> (before: TaskRecord, after: TaskRecord) {
        let path = layout.taskFile(id, in: project)
        guard FileSystem.fileExists(path) else { throw TaskStoreError.notFound(id) }
        return try FileLock.withLock(layout.taskLockFile(id, in: project)) {
            let before = try load(id, in: project)
            var after = before
            try change(&after)
            guard after.id == before.id, after.project == before.project else {
                throw TaskStoreError.io(path: path, reason: "a task's id and project cannot be changed")
            }
            // An unchanged task is not written: a write would wake the watcher for nothing.
            if after != before { try AtomicFile.write(after.rendered(), to: path) }
            return (before, after)
        }
    }

    public func delete(_ id: TaskID, in project: ProjectName) throws {
        let directory = layout.taskDirectory(id, in: project)
        guard FileSystem.isDirectory(directory) else { throw TaskStoreError.notFound(id) }
        try FileLock.withLock(layout.taskLockFile(id, in: project)) {
            // Move aside first so no reader ever sees a half-removed folder, then remove.
            let trash = layout.projectTasksDirectory(project) + "/.deleted-\(id)-\(getpid())"
            if rename(directory, trash) != 0 { throw SystemError.current("rename", path: directory) }
            try FileSystem.removeTree(trash)
        }
    }

    public func appendHistory(_ event: HistoryEvent, for id: TaskID, in project: ProjectName) throws {
        try AtomicFile.appendLine(event.json.rendered(), to: layout.historyFile(id, in: project))
    }

    public func history(of id: TaskID, in project: ProjectName) throws -> [HistoryEvent] {
        let path = layout.historyFile(id, in: project)
        guard FileSystem.fileExists(path) else { return [] }
        return try FileSystem.readText(path).split(separator: "\n").compactMap { line in
            (try? JSONValue.parse(String(line))).flatMap(HistoryEvent.init(json:))
        }
    }

    /// Reads and parses one TASK.md, checking that its id and project match its folder.
    func load(_ id: TaskID, in project: ProjectName) throws -> TaskRecord {
        let path = layout.taskFile(id, in: project)
        let text: String
        do {
            text = try FileSystem.readText(path)
        } catch {
            throw TaskStoreError.invalid(InvalidTaskFile(path: path, line: nil, reason: "cannot read: \(SystemError.message(for: error.errno))"))
        }
        let task: TaskRecord
        do {
            task = try TaskRecord.parse(text)
        } catch {
            throw TaskStoreError.invalid(InvalidTaskFile(path: path, line: error.line, reason: error.reason))
        }
        if task.id != id {
            throw TaskStoreError.invalid(InvalidTaskFile(path: path, line: nil, reason: "id '\(task.id)' does not match its folder '\(id)'"))
        }
        if task.project != project {
            throw TaskStoreError.invalid(InvalidTaskFile(path: path, line: nil, reason: "project '\(task.project)' does not match its folder '\(project)'"))
        }
        return task
    }
}
