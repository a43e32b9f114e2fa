/// The checks of `orange doctor`: a pure function from a snapshot of `$ORANGE_HOME` to every
/// problem found, each with its path, line when it has one, reason, and safe repair if any.
///
/// It never throws and never traps: whatever the snapshot holds (garbage names, unreadable
/// folders, corrupt files), each oddity becomes a finding.
public enum DataDirectoryCheck {
    /// A leftover this old is stale even when a process with its creator's id is alive: writes
    /// take milliseconds, so an hour means the id was reused by an unrelated process.
    public static let staleAgeMilliseconds: Int64 = 3_600_000

    /// The names orange keeps in a task folder; anything else not hidden is reported.
    static let taskFolderNames: Set<String> = [
        TaskTreeNames.taskFile, "history.jsonl", ".lock", ".spawn.lock", spawnMarker, "TASK.md.from-workspace", "setup.log",
    ]
    static let spawnMarker = ".spawning"

    public static func run(_ snapshot: DataDirectorySnapshot) -> [DoctorFinding] {
        var check = DataDirectoryChecker(snapshot)
        check.checkHome()
        check.checkTasksTree()
        check.checkTaskFolders()
        check.checkGraph()
        check.checkProjects()
        check.checkConfig()
        check.checkPool()
        return check.findings.sorted {
            ($0.path, $0.line ?? 0, $0.kind.rawValue, $0.reason) < ($1.path, $1.line ?? 0, $1.kind.rawValue, $1.reason)
        }
    }
}

/// A task folder with a valid project and id name, as found in the tree.
struct FoundTaskFolder {
    var project: ProjectName
    var id: TaskID
    var path: String
    var entries: [SnapshotEntry]
}

/// A TASK.md that decoded, with the lines of its keys for findings about them.
struct ValidTask {
    var record: TaskRecord
    var path: String
    var lines: [String: Int]
}

/// The state of one run of the checks.
struct DataDirectoryChecker {
    let snapshot: DataDirectorySnapshot
    var findings: [DoctorFinding] = []
    /// Every task folder with valid names, in path order.
    var folders: [FoundTaskFolder] = []
    /// Every id that names a task folder, with the folders' paths (more than one is a duplicate).
    var folderPaths: [TaskID: [String]] = [:]
    /// The tasks whose TASK.md decoded, in path order (only the first folder of a duplicate id).
    var valid: [ValidTask] = []

    init(_ snapshot: DataDirectorySnapshot) {
        self.snapshot = snapshot
    }

    var home: String { snapshot.home }
    var tasksRoot: String { home + "/" + TaskTreeNames.tasksFolder }

    mutating func report(_ kind: DoctorFinding.Kind, _ path: String, line: Int? = nil, _ reason: String, fix: DoctorFix? = nil) {
        findings.append(DoctorFinding(kind, path: path, line: line, reason: reason, fix: fix))
    }

    // MARK: - Home and workspaces: only leftovers

    mutating func checkHome() {
        for entry in snapshot.entries {
            if let parsed = TransientFileNames.parse(entry.name) { checkLeftover(entry, parsed, path: home + "/" + entry.name) }
        }
        for entry in snapshot.entry(["workspaces"])?.children ?? [] {
            if let parsed = TransientFileNames.parse(entry.name) {
                checkLeftover(entry, parsed, path: home + "/workspaces/" + entry.name)
            }
        }
    }

    /// A transient file is stale when the process that made it is gone (or it is very old).
    mutating func checkLeftover(_ entry: SnapshotEntry, _ parsed: TransientFileNames.Parsed, path: String) {
        let alive = snapshot.alivePIDs.contains(parsed.pid)
        let age = snapshot.nowMilliseconds - entry.modifiedMilliseconds
        guard !alive || age > DataDirectoryCheck.staleAgeMilliseconds else { return }
        let why = alive ? "it is more than an hour old" : "process \(parsed.pid) that made it is gone"
        switch parsed.kind {
        case .temporary(let target):
            report(
                .staleTemporaryFile, path,
                "temporary file of an interrupted write of \(target) (\(why)); \(target) itself was left as it was",
                fix: .remove(path: path))
        case .deletedTaskFolder:
            report(.staleDeletedFolder, path, "task folder left half deleted (\(why))", fix: .remove(path: path))
        case .newTaskFolder:
            report(.staleNewTaskFolder, path, "a new task's folder its create never put in place (\(why))", fix: .remove(path: path))
        case .cookie:
            report(.staleCookie, path, "watch cookie nobody answered (\(why))", fix: .remove(path: path))
        case .syncAnswer:
            report(.staleCookie, path, "answer to a 'watch sync' that stopped waiting (\(why))", fix: .remove(path: path))
        }
    }

    // MARK: - The tasks tree

    mutating func checkTasksTree() {
        guard let root = snapshot.entry([TaskTreeNames.tasksFolder]) else { return }  // nothing created yet
        guard let projects = folderChildren(root, path: tasksRoot) else { return }
        for entry in projects {
            let path = tasksRoot + "/" + entry.name
            if let parsed = TransientFileNames.parse(entry.name) {
                checkLeftover(entry, parsed, path: path)
                continue
            }
            // Hidden folders such as `.git` (a tasks tree kept in git) are not projects.
            if entry.isHidden { continue }
            guard entry.isDirectory else {
                strayEntry(entry, path: path, "the tasks folder holds only project folders")
                continue
            }
            if let problem = ProjectName.problem(with: entry.name) {
                report(.invalidName, path, "not a valid project folder: \(problem)")
                continue
            }
            guard let project = ProjectName(validating: entry.name), let tasks = folderChildren(entry, path: path) else { continue }
            checkProjectFolder(project, tasks, path: path)
        }
    }

    private mutating func checkProjectFolder(_ project: ProjectName, _ entries: [SnapshotEntry], path: String) {
        for entry in entries {
            let taskPath = path + "/" + entry.name
            if let parsed = TransientFileNames.parse(entry.name) {
                checkLeftover(entry, parsed, path: taskPath)
                continue
            }
            if entry.isHidden { continue }
            guard entry.isDirectory else {
                strayEntry(entry, path: taskPath, "a project folder holds only task folders")
                continue
            }
            guard let id = TaskID(validating: entry.name) else {
                report(.invalidName, taskPath, "folder name is not a valid task id (1 to 64 letters and digits)")
                continue
            }
            guard let children = folderChildren(entry, path: taskPath) else { continue }
            folders.append(FoundTaskFolder(project: project, id: id, path: taskPath, entries: children))
            folderPaths[id, default: []].append(taskPath)
        }
    }

    /// The children of an entry that must be a folder; anything else is reported.
    private mutating func folderChildren(_ entry: SnapshotEntry, path: String) -> [SnapshotEntry]? {
        switch entry.kind {
        case .directory(let children): return children ?? []
        case .unreadable(let reason): report(.unreadable, path, reason)
        case .symlink(let target, let exists): symlink(path, target: target, exists: exists)
        case .file, .other: report(.unexpectedEntry, path, "is not a folder")
        }
        return nil
    }

    /// An entry where only folders of orange's belong.
    mutating func strayEntry(_ entry: SnapshotEntry, path: String, _ rule: String) {
        switch entry.kind {
        case .symlink(let target, let exists): symlink(path, target: target, exists: exists)
        case .unreadable(let reason): report(.unreadable, path, reason)
        case .directory: report(.unexpectedEntry, path, "unexpected folder (\(rule))")
        case .file, .other: report(.unexpectedEntry, path, "unexpected file (\(rule))")
        }
    }

    mutating func symlink(_ path: String, target: String, exists: Bool) {
        if exists {
            report(.symlink, path, "is a symbolic link (to \(target)); orange does not follow links in its task folders")
        } else {
            report(.brokenSymlink, path, "broken symbolic link (to \(target), which does not exist)")
        }
    }
}
