import Glibc
import OrangeCore

/// Where orange keeps its files under `$ORANGE_HOME` (default `~/orange`).
///
/// Only paths are computed here. Folders orange creates are 0700 and files 0600: task files
/// hold prompts and project paths, which are nobody else's business.
public struct DataDirectory: Sendable, Hashable {
    public var home: String

    /// Mode for every folder orange creates under `home`.
    public static let directoryMode: UInt32 = 0o700
    /// Mode for every file orange creates under `home`.
    public static let fileMode: UInt32 = 0o600

    public init(home: String) {
        self.home = home
    }

    /// `ORANGE_HOME` when set and not empty, else `$HOME/orange` (`/tmp/orange` without a HOME).
    public static func from(environment: [String: String]) -> DataDirectory {
        if let home = environment["ORANGE_HOME"], !home.isEmpty { return DataDirectory(home: home) }
        let user = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        return DataDirectory(home: (user.hasSuffix("/") ? String(user.dropLast()) : user) + "/orange")
    }

    /// The layout for this process's environment.
    public static func fromEnvironment() -> DataDirectory {
        from(environment: ProcessEnvironment.current())
    }

    /// Creates `home` and `tasks/` (0700) when missing.
    public func createIfMissing() throws(SystemError) {
        try FileSystem.makeDirectories(tasksRoot, mode: mode_t(Self.directoryMode))
    }

    /// `projects.json`, the project registry.
    public var projectsFile: String { home + "/projects.json" }
    /// The lock taken around every read-modify-write of `projects.json`.
    public var projectsLockFile: String { projectsFile + ".lock" }
    public var configFile: String { home + "/config.json" }
    public var logFile: String { home + "/orange.log" }
    /// What `orange install` wrote, for `orange uninstall`.
    public var installManifestFile: String { home + "/install-manifest.json" }
    public var tasksRoot: String { home + "/tasks" }
    public var workspacesRoot: String { home + "/workspaces" }
    public var poolFile: String { workspacesRoot + "/.pool.json" }
    public var poolLockFile: String { workspacesRoot + "/.pool.lock" }
    /// The running engine's pid, for people and scripts only: the one-engine guarantee is the
    /// claim on `engineClaimNames()`, which no file deletion can undo (docs/decisions.md).
    public var engineLockFile: String { home + "/.engine.lock" }

    /// `bin/<key>`: a folder holding only a link named `orange` to one orange executable, put first
    /// on its agents' PATH (`AgentLaunch`), so they run the very orange that spawned them and no
    /// other program of that executable's folder shadows one of the user's.
    public func agentBinDirectory(forExecutable executable: String) -> String {
        home + "/bin/" + AgentLaunch.executableKey(executable)
    }

    /// `tasks/<project>`.
    public func projectTasksDirectory(_ project: ProjectName) -> String { tasksRoot + "/" + project.rawValue }
    /// `tasks/<project>/.graph.lock`, held while an edge of the project's graph is validated and
    /// written. Hidden, so scans, the watcher and `orange doctor` pass over it.
    public func graphLockFile(_ project: ProjectName) -> String { projectTasksDirectory(project) + "/.graph.lock" }
    /// `tasks/<project>/<id>`.
    public func taskDirectory(_ id: TaskID, in project: ProjectName) -> String { projectTasksDirectory(project) + "/" + id.rawValue }
    /// `tasks/<project>/<id>/TASK.md`.
    public func taskFile(_ id: TaskID, in project: ProjectName) -> String { taskDirectory(id, in: project) + "/TASK.md" }
    /// `tasks/<project>/<id>/history.jsonl`.
    public func historyFile(_ id: TaskID, in project: ProjectName) -> String { taskDirectory(id, in: project) + "/history.jsonl" }
    /// `tasks/<project>/<id>/.lock`, the per-task lock every TASK.md write is made under.
    public func taskLockFile(_ id: TaskID, in project: ProjectName) -> String { taskDirectory(id, in: project) + "/.lock" }
    /// Held for the whole of a spawn, so a claim left by a spawner that died can be told apart from one in progress.
    public func spawnLockFile(_ id: TaskID, in project: ProjectName) -> String { taskDirectory(id, in: project) + "/.spawn.lock" }
    /// Present from a spawn's claim to its end; left behind only by a spawner that died.
    public func spawnMarkerFile(_ id: TaskID, in project: ProjectName) -> String { taskDirectory(id, in: project) + "/.spawning" }
    /// `workspaces/<name>`.
    public func workspace(_ name: String) -> String { workspacesRoot + "/" + name }
}
