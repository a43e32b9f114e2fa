import OrangeCore

/// Everything a command needs from the outside world, as values a test can replace.
public struct AppContext: Sendable {
    /// `$ORANGE_HOME` (default `~/orange`).
    public var home: String
    public var tasks: any TaskStore
    public var projects: any ProjectStore
    public var clock: any TimeSource
    public var newTaskID: @Sendable () -> TaskID
    public var repositories: any RepositoryInspector
    public var logger: any Logger
    public var workingDirectory: String
    public var environment: [String: String]
    /// Reads all of standard input (for `--context -`).
    public var readStandardInput: @Sendable () -> String
    /// Asks a yes/no question on the terminal; false when there is no terminal to ask.
    public var confirm: @Sendable (String) -> Bool
    /// Resolves symlinks; nil when the path does not exist.
    public var realPath: @Sendable (String) -> String?
    /// Diagnostics that are not the command's result (warnings about invalid files, progress).
    public var diagnostics: @Sendable (String) -> Void
    /// Reads a whole text file; nil when it does not exist or cannot be read.
    public var readFile: @Sendable (String) -> String?

    public init(
        home: String, tasks: any TaskStore, projects: any ProjectStore, clock: any TimeSource,
        newTaskID: @escaping @Sendable () -> TaskID, repositories: any RepositoryInspector, logger: any Logger,
        workingDirectory: String, environment: [String: String],
        readStandardInput: @escaping @Sendable () -> String, confirm: @escaping @Sendable (String) -> Bool,
        realPath: @escaping @Sendable (String) -> String?, diagnostics: @escaping @Sendable (String) -> Void,
        readFile: @escaping @Sendable (String) -> String?
    ) {
        self.home = home
        self.tasks = tasks
        self.projects = projects
        self.clock = clock
        self.newTaskID = newTaskID
        self.repositories = repositories
        self.logger = logger
        self.workingDirectory = workingDirectory
        self.environment = environment
        self.readStandardInput = readStandardInput
        self.confirm = confirm
        self.realPath = realPath
        self.diagnostics = diagnostics
        self.readFile = readFile
    }

    public var workspacesRoot: String { home + "/workspaces" }
    public var logFile: String { home + "/orange.log" }
}

/// What project commands need to know about git repositories.
public protocol RepositoryInspector: Sendable {
    /// The repository's top-level folder containing `directory`, or nil outside a repository.
    func topLevel(of directory: String) -> String?
    /// The branch new work starts from: origin's HEAD, else `main` if it exists, else `master`.
    func defaultBranch(ofRepository path: String) -> String
}
