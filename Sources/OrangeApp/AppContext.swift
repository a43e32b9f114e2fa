import OrangeCore
import OrangeSystem

/// Everything a command needs from the outside world, as values a test can replace.
public struct AppContext: Sendable {
    /// `$ORANGE_HOME` (default `~/orange`).
    public var home: String
    public var tasks: any TaskStore
    public var projects: any ProjectStore
    public var clock: any TimeSource
    public var newTaskID: @Sendable () -> TaskID
    public var git: any GitClient
    public var tmux: any TmuxClient
    public var pool: any PoolStore
    /// Built-in and user-defined harnesses (`config.json`); an error when the config is invalid.
    public var harnesses: @Sendable () throws -> [Harness]
    /// Whether a program is on PATH (harness detection).
    public var isInstalled: @Sendable (String) -> Bool
    /// This orange executable, passed to agents as `ORANGE_BIN`.
    public var executablePath: String
    /// Runs a program on this terminal (for `tmux attach`) and returns its exit code.
    public var runInteractive: @Sendable ([String]) throws -> Int32
    public var logger: any Logger
    public var workingDirectory: String
    public var environment: [String: String]
    /// Reads all of standard input (for `--context -`); fails on bytes that are not UTF-8.
    public var readStandardInput: @Sendable () throws -> String
    /// Asks a yes/no question on the terminal; false when there is no terminal to ask.
    public var confirm: @Sendable (String) -> Bool
    /// Resolves symlinks; nil when the path does not exist.
    public var realPath: @Sendable (String) -> String?
    /// Diagnostics that are not the command's result (warnings about invalid files, progress).
    public var diagnostics: @Sendable (String) -> Void
    /// Reads a whole text file; nil when it does not exist or cannot be read.
    public var readFile: @Sendable (String) -> String?
    /// Streams text to stdout as it happens (for long-running commands such as `watch`).
    public var streamOutput: @Sendable (String) -> Void = { _ in }
    /// The machine's processes: what an agent's session still runs.
    public var processes: any ProcessTable = ProcFSProcessTable()
    /// The full path of a program found in a search path (a `PATH` value), or nil.
    public var locateProgram: @Sendable (_ program: String, _ searchPath: String) -> String? = {
        FileSystem.findExecutable($0, searchPath: $1)
    }
    /// Runs short helper programs (argv, never a shell): `systemctl --user` for `orange service`.
    public var processRunner: any ProcessRunning = ProcessRunner()
    /// Whether stdin and stdout are a terminal: `orange` alone then opens the dashboard.
    public var hasTerminal = false
    /// Each task's spawn lock and `.spawning` marker.
    public var spawnGuards: any SpawnGuards
    /// Where one-line progress of long git operations goes: set only when stderr is a terminal
    /// (`ProgressGit`, never under `--json`).
    public var progress: (@Sendable (String) -> Void)? = nil
    /// Reads answered by the running engine; `NoEngineReads` (read the tree) when none is wired.
    public var engineReads: any EngineReads = NoEngineReads()

    public init(
        home: String, tasks: any TaskStore, projects: any ProjectStore, clock: any TimeSource,
        newTaskID: @escaping @Sendable () -> TaskID, git: any GitClient, tmux: any TmuxClient, pool: any PoolStore,
        harnesses: @escaping @Sendable () throws -> [Harness], isInstalled: @escaping @Sendable (String) -> Bool,
        executablePath: String, runInteractive: @escaping @Sendable ([String]) throws -> Int32, logger: any Logger,
        workingDirectory: String, environment: [String: String],
        readStandardInput: @escaping @Sendable () throws -> String, confirm: @escaping @Sendable (String) -> Bool,
        realPath: @escaping @Sendable (String) -> String?, diagnostics: @escaping @Sendable (String) -> Void,
        readFile: @escaping @Sendable (String) -> String?
    ) {
        self.home = home
        self.tasks = tasks
        self.projects = projects
        self.clock = clock
        self.newTaskID = newTaskID
        self.git = git
        self.tmux = tmux
        self.pool = pool
        self.harnesses = harnesses
        self.isInstalled = isInstalled
        self.executablePath = executablePath
        self.runInteractive = runInteractive
        self.logger = logger
        self.workingDirectory = workingDirectory
        self.environment = environment
        self.readStandardInput = readStandardInput
        self.confirm = confirm
        self.realPath = realPath
        self.diagnostics = diagnostics
        self.readFile = readFile
        spawnGuards = FileSpawnGuards(layout: DataDirectory(home: home))
    }

    /// Where everything lives under `home`: the one place the data folder's layout is written.
    public var layout: DataDirectory { DataDirectory(home: home) }
    public var workspacesRoot: String { layout.workspacesRoot }
    public func workspacePath(_ name: String) -> String { layout.workspace(name) }
    public var logFile: String { layout.logFile }
}
