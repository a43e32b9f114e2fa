import OrangeCore
import OrangeSystem

/// A tasks folder shared through git: the whole `tasks/` or one project's `tasks/<project>/`.
/// Its `.git` is a hidden folder, which the store, the watcher and doctor leave alone.
struct SyncRepository: Sendable, Equatable {
    /// The work tree: `$ORANGE_HOME/tasks` or `$ORANGE_HOME/tasks/<project>`.
    let root: String
    /// The project shared, or nil for every project.
    let project: ProjectName?

    /// The branch every machine pushes to.
    static let branch = "main"

    var gitDirectory: String { root + "/.git" }
    /// Held while this machine runs git in the repository (engine, commands, claims).
    var lockFile: String { gitDirectory + "/orange-sync.lock" }
    /// The last fetch and push, for `orange sync status` and `task why`.
    var stateFile: String { gitDirectory + "/orange-sync.json" }
    var name: String { project.map { "tasks/" + $0.rawValue } ?? "tasks" }
    /// Written by `configure`: a tasks folder someone keeps in git by hand is not synced by orange.
    var markerFile: String { gitDirectory + "/orange-shared" }

    /// The repository's path of a file of a task.
    func path(of file: String, task: TaskID, in taskProject: ProjectName) -> String {
        (project == nil ? taskProject.rawValue + "/" : "") + task.rawValue + "/" + file
    }

    /// The task folder a repository path lies in, if it lies in one.
    func taskFolder(ofPath path: String) -> String? {
        let parts = path.split(separator: "/").map(String.init)
        let depth = project == nil ? 2 : 1
        guard parts.count > depth, parts.prefix(depth).allSatisfy({ !$0.hasPrefix(".") }) else { return nil }
        return root + "/" + parts.prefix(depth).joined(separator: "/")
    }

    func covers(_ taskProject: ProjectName) -> Bool { project == nil || project == taskProject }

    /// Every shared tasks folder of this data folder.
    static func all(home: String) -> [SyncRepository] {
        let tasks = DataDirectory(home: home).tasksRoot
        let whole = SyncRepository(root: tasks, project: nil)
        if FileSystem.fileExists(whole.markerFile) { return [whole] }
        let names = (try? FileSystem.listDirectory(tasks)) ?? []
        return names.sorted().compactMap { name in
            guard let project = ProjectName(validating: name) else { return nil }
            let repository = SyncRepository(root: tasks + "/" + name, project: project)
            return FileSystem.fileExists(repository.markerFile) ? repository : nil
        }
    }

    /// The shared folder called `name` (as `all` names them), if it is one of `all`: found with
    /// a stat or two, without listing the tasks folder.
    static func named(_ name: String, home: String) -> SyncRepository? {
        let tasks = DataDirectory(home: home).tasksRoot
        let whole = SyncRepository(root: tasks, project: nil)
        let wholeShared = FileSystem.fileExists(whole.markerFile)
        if name == whole.name { return wholeShared ? whole : nil }
        guard !wholeShared, name.hasPrefix(whole.name + "/"),
            let project = ProjectName(validating: String(name.dropFirst(whole.name.count + 1)))
        else { return nil }
        let repository = SyncRepository(root: tasks + "/" + project.rawValue, project: project)
        return FileSystem.fileExists(repository.markerFile) ? repository : nil
    }

    /// The shared folder that holds `project`'s tasks, if any.
    static func covering(_ project: ProjectName, home: String) -> SyncRepository? {
        all(home: home).first { $0.covers(project) }
    }

    /// What travels: TASK.md, history.jsonl, the task folders. What stays: locks, markers,
    /// temporary files (every dot-named file but git's own), set-up logs, rejected saves.
    static let excludes = [".*", "!.gitattributes", "!.gitignore", "setup.log", "TASK.md.rejected-*"]

    /// The one place a shared repository is configured (at `sync init` and on every clone).
    /// TASK.md merges field by field through orange's driver and history files as the union of
    /// their lines (`registerMergeDriver`).
    static func configure(at repository: SyncRepository, runner: any ProcessRunning, machine: String, orangeExecutable: String)
        throws
    {
        let git = SyncGit(runner: runner, directory: repository.root)
        try registerMergeDriver(at: repository, runner: runner, orangeExecutable: orangeExecutable)
        try FileSystem.makeDirectories(repository.gitDirectory + "/info")
        try AtomicFile.write(excludes.joined(separator: "\n") + "\n", to: repository.gitDirectory + "/info/exclude")
        if !git.succeeds(["config", "user.email"]) {
            try git.check(["config", "user.name", "orange (\(machine))"])
            try git.check(["config", "user.email", "orange@\(machine).invalid"])
        }
        try git.check(["config", "core.quotePath", "false"])
        try git.check(["config", "gc.auto", "0"])  // no pause of a claim for a gc
        try AtomicFile.write("shared with orange sync init; see docs/multi-machine.md\n", to: repository.markerFile)
    }

    /// Git's merge of TASK.md field by field (`orange sync merge-driver`, docs/task-merge.md)
    /// and of history.jsonl as a union. Done again at each engine start: the driver names this
    /// binary, which may have moved since `sync init`.
    static func registerMergeDriver(at repository: SyncRepository, runner: any ProcessRunning, orangeExecutable: String) throws {
        _ = try TaskMergeDriver.register(inRepository: repository.root, orangeExecutable: orangeExecutable, runner: runner)
    }
}

extension SyncRepository {
    /// Why a ready task of `project` is not claimed: its shared folder's remote did not answer
    /// the last fetch or push (`task why`). Nil when it is not shared or the remote answered.
    static func offlineNote(for project: ProjectName, home: String) -> String? {
        covering(project, home: home)?.offlineNote
    }

    /// The first shared folder whose remote is unreachable, said as `offlineNote` says it.
    static func offlineNote(home: String) -> String? {
        all(home: home).lazy.compactMap(\.offlineNote).first
    }

    var offlineNote: String? {
        let repository = self
        let state = TaskSync.readState(repository)
        guard state.reachable == false else { return nil }
        return GitSpawnClaims.offline(state.error) + " (since \(state.lastAttempt?.rfc3339 ?? "the last sync"); see 'orange sync status')"
    }
}
