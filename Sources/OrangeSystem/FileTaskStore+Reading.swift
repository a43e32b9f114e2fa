import Glibc
import OrangeCore

// Reading tasks: the full scan, the single lookup, and the checks every TASK.md goes through
// before it becomes a TaskRecord. Nothing here writes.

extension FileTaskStore {
    public func scan(project: ProjectName?) throws -> TaskScan {
        try scan(project: project, keepingBodies: true)
    }

    /// Each body is dropped on the thread that parsed it, so the scan never holds every task's
    /// notes at once (at 100,000 tasks of a few KB each, hundreds of MB).
    public func scanWithoutBodies(project: ProjectName?) throws -> TaskScan {
        try scan(project: project, keepingBodies: false)
    }

    private func scan(project: ProjectName?, keepingBodies: Bool) throws -> TaskScan {
        var candidates: [(id: TaskID, project: ProjectName)] = []
        var invalid: [InvalidTaskFile] = []
        let projectFolders =
            try project.map { [DirectoryEntry(name: $0.rawValue, kind: .unknown)] }
            ?? Self.listIfPresent(layout.tasksRoot)
        for folder in projectFolders {
            let directory = layout.tasksRoot + "/" + folder.name
            guard
                let project = checkedFolder(directory, entry: folder, problem: ProjectName.problem(with:), into: &invalid)
                    .flatMap(ProjectName.init(validating:))
            else { continue }
            let taskFolders: [DirectoryEntry]
            switch Result(catching: { () throws(SystemError) in try FileSystem.listDirectoryEntries(directory) }) {
            case .success(let entries): taskFolders = entries
            case .failure(let error):
                invalid.append(InvalidTaskFile(path: directory, line: nil, reason: "cannot list: \(SystemError.message(for: error.errno))"))
                continue
            }
            for entry in taskFolders {
                guard
                    let id = checkedFolder(directory + "/" + entry.name, entry: entry, problem: Self.taskIDProblem, into: &invalid)
                        .flatMap(TaskID.init(validating:))
                else { continue }
                candidates.append((id, project))
            }
        }
        let store = self, found = candidates
        let loaded = ParallelMap.map(count: found.count) { index in
            Result { try store.load(found[index].id, in: found[index].project, keepingBody: keepingBodies) }
        }
        var tasks: [TaskRecord] = []
        tasks.reserveCapacity(loaded.count)
        for outcome in loaded {
            switch outcome {
            case .success(let task): tasks.append(task)
            case .failure(TaskStoreError.invalid(let problem)): invalid.append(problem)
            // No TASK.md: a task being created right now, or deleted while we looked.
            case .failure(TaskStoreError.notFound): continue
            case .failure(let error): throw error
            }
        }
        tasks.sort { a, b in
            let x = a.createdAt?.millisecondsSinceEpoch ?? Int64.min, y = b.createdAt?.millisecondsSinceEpoch ?? Int64.min
            return x != y ? x < y : a.id < b.id
        }
        invalid.sort { $0.path < $1.path }
        return TaskScan(tasks: tasks, invalid: invalid)
    }

    public func find(_ id: TaskID) throws -> TaskRecord? {
        let projectFolders = try Self.listIfPresent(layout.tasksRoot)
        // Only lstat calls until the task is found: no project's tasks are parsed on the way.
        for folder in projectFolders {
            guard let project = ProjectName(validating: folder.name),
                FileSystem.status(layout.projectTasksDirectory(project))?.isDirectory == true,
                let taskFolder = FileSystem.status(layout.taskDirectory(id, in: project))
            else { continue }
            let directory = layout.taskDirectory(id, in: project)
            guard taskFolder.isDirectory else {
                throw TaskStoreError.invalid(InvalidTaskFile(path: directory, line: nil, reason: Self.notAFolder(taskFolder)))
            }
            guard FileSystem.status(layout.taskFile(id, in: project)) != nil else { continue }
            return try load(id, in: project)
        }
        return nil
    }

    /// Reads and parses one TASK.md, checking that it is a regular UTF-8 file and that its id and
    /// project match its folders. Throws `.invalid` (never anything that invites a rewrite) or
    /// `.notFound` when the file is gone. Without `keepingBody` the record's body is empty, never
    /// built (the body is still checked as UTF-8).
    func load(_ id: TaskID, in project: ProjectName, keepingBody: Bool = true) throws -> TaskRecord {
        let path = layout.taskFile(id, in: project)
        func invalid(_ reason: String, line: Int? = nil) -> TaskStoreError {
            .invalid(InvalidTaskFile(path: path, line: line, reason: reason))
        }
        let read: [UInt8]?
        do throws(SystemError) {
            read = try FileSystem.readRegularFile(path)
        } catch {
            switch error.errno {
            case ENOENT: throw TaskStoreError.notFound(id)
            case ELOOP: throw invalid("is a symbolic link; orange only reads TASK.md files that are real files")
            default: throw invalid("cannot read: \(SystemError.message(for: error.errno))")
            }
        }
        guard let bytes = read else { throw invalid("is not a regular file") }
        switch TaskFileDecoder.decode(bytes, folderID: id, folderProject: project, keepingBody: keepingBody) {
        case .success(let task): return task
        case .failure(let problem): throw invalid(problem.reason, line: problem.line)
        }
    }

    /// Reports a folder entry that cannot be a project or task folder and returns the names that
    /// can. Dot-named files (temporary files, `.lock`) and orange's own trash are skipped; other
    /// files are not folders and are ignored; everything else with a bad name or a symlink is
    /// reported, so a stray `..x` or a link to elsewhere is seen, never silently followed.
    private func checkedFolder(_ path: String, entry: DirectoryEntry, problem: (String) -> String?, into invalid: inout [InvalidTaskFile])
        -> String?
    {
        let name = entry.name
        if name.hasPrefix(Self.trashPrefix) { return nil }
        // Hidden folders such as `.git` (a tasks tree kept in git) are not tasks; a name starting
        // with `..` still is reported, since it looks like a path trick.
        if name.hasPrefix(".") && !name.hasPrefix("..") { return nil }
        switch entry.kind {
        case .directory: break
        case .regularFile, .other: return nil
        case .symbolicLink, .unknown:
            guard let info = FileSystem.status(path) else { return nil }
            if info.isSymbolicLink {
                invalid.append(InvalidTaskFile(path: path, line: nil, reason: Self.notAFolder(info)))
                return nil
            }
            guard info.isDirectory else { return nil }
        }
        if let reason = problem(name) {
            invalid.append(InvalidTaskFile(path: path, line: nil, reason: reason))
            return nil
        }
        return name
    }

    /// The entries of a folder; empty when the folder does not exist (nothing created yet).
    static func listIfPresent(_ path: String) throws(SystemError) -> [DirectoryEntry] {
        switch Result(catching: { () throws(SystemError) in try FileSystem.listDirectoryEntries(path) }) {
        case .success(let entries): return entries
        case .failure(let error) where error.errno == ENOENT: return []
        case .failure(let error): throw error
        }
    }

    static func taskIDProblem(_ name: String) -> String? {
        TaskID(validating: name) == nil ? "folder name '\(name)' is not a valid task id (1 to 64 letters and digits)" : nil
    }

}
