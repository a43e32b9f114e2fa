import OrangeCore

/// Where orange keeps its files under `$ORANGE_HOME` (default `~/orange`).
public struct DataDirectory: Sendable, Hashable {
    public var home: String

    public init(home: String) {
        self.home = home
    }

    /// `ORANGE_HOME` when set and not empty, else `$HOME/orange`.
    public static func from(environment: [String: String]) -> DataDirectory {
        if let home = environment["ORANGE_HOME"], !home.isEmpty { return DataDirectory(home: home) }
        return DataDirectory(home: (environment["HOME"] ?? "/tmp") + "/orange")
    }

    public var projectsFile: String { home + "/projects.json" }
    public var configFile: String { home + "/config.json" }
    public var logFile: String { home + "/orange.log" }
    public var tasksRoot: String { home + "/tasks" }
    public var workspacesRoot: String { home + "/workspaces" }
    public var poolFile: String { workspacesRoot + "/.pool.json" }
    public var poolLockFile: String { workspacesRoot + "/.pool.lock" }
    public var engineLockFile: String { home + "/.engine.lock" }

    public func projectTasksDirectory(_ project: ProjectName) -> String { tasksRoot + "/" + project.rawValue }
    public func taskDirectory(_ id: TaskID, in project: ProjectName) -> String { projectTasksDirectory(project) + "/" + id.rawValue }
    public func taskFile(_ id: TaskID, in project: ProjectName) -> String { taskDirectory(id, in: project) + "/TASK.md" }
    public func historyFile(_ id: TaskID, in project: ProjectName) -> String { taskDirectory(id, in: project) + "/history.jsonl" }
    public func taskLockFile(_ id: TaskID, in project: ProjectName) -> String { taskDirectory(id, in: project) + "/.lock" }
    public func workspace(_ name: String) -> String { workspacesRoot + "/" + name }
}
