import OrangeCore
import OrangeSystem

/// Everything a command needs from the outside world, as values a test can replace, in small
/// groups: where tasks and projects are kept, the programs orange runs, the terminal it talks
/// to, plus the clock, the log and the process's own environment.
public struct AppContext: Sendable {
    /// The task files, the project registry, the workspace pool, the spawn guards and the engine's
    /// answers to reads.
    public struct Stores: Sendable {
        public var tasks: any TaskStore
        public var projects: any ProjectStore
        public var pool: any PoolStore
        /// Each task's spawn lock and `.spawning` marker.
        public var spawnGuards: any SpawnGuards
        /// Reads answered by the running engine; `NoEngineReads` (read the tree) when none is wired.
        public var engineReads: any EngineReads = NoEngineReads()
        /// The pooled worktrees' folders: their TASK.md link, set-up files and locks.
        public var workspaceFolders: any WorkspaceFolders
        /// The agents' `bin/<key>/orange` links.
        public var agentLinks: any AgentExecutableLinks
        /// `orange watch sync`'s cookie and the engine's answer.
        public var engineSync: any EngineSync
        /// orange.log as `orange log -f` follows it.
        public var logFiles: any GrowingFiles = FileGrowingFiles()
        /// The gate of claims and completions when tasks are shared between machines
        /// (`orange sync`); `NoSpawnClaims` when they are not.
        public var claims: any SpawnClaims = NoSpawnClaims()
        /// The tasks folders shared through git, as the engine's sync follower works them;
        /// `NoSharedTasks` unless wired (`OrangeMain`).
        public var sharedTasks: any SharedTasksFolders = NoSharedTasks()
    }

    /// The programs orange starts and the processes it watches.
    public struct Processes: Sendable {
        public var git: any GitClient
        public var tmux: any TmuxClient
        /// Runs short helper programs (argv, never a shell): `systemctl --user`, `gh`, hooks.
        public var runner: any ProcessRunning = ProcessRunner()
        /// The machine's processes: what an agent's session still runs.
        public var table: any ProcessTable = ProcFSProcessTable()
        /// Runs a program on this terminal (for `tmux attach`) and returns its exit code.
        public var runInteractive: @Sendable ([String]) throws -> Int32
        /// Whether a program is on PATH (harness detection).
        public var isInstalled: @Sendable (String) -> Bool
        /// The full path of a program found in a search path (a `PATH` value), or nil.
        public var locateProgram: @Sendable (_ program: String, _ searchPath: String) -> String? = {
            FileSystem.findExecutable($0, searchPath: $1)
        }
        /// This orange executable, passed to agents as `ORANGE_BIN` and linked first on their PATH.
        public var executablePath: String
    }

    /// The terminal: what the command reads and says besides its result.
    public struct Console: Sendable {
        /// Diagnostics that are not the command's result (warnings about invalid files).
        public var diagnostics: @Sendable (String) -> Void
        /// Streams text to stdout as it happens (for long-running commands such as `watch`).
        public var streamOutput: @Sendable (String) -> Void = { _ in }
        /// Reads all of standard input (for `--context -`); fails on bytes that are not UTF-8.
        public var readStandardInput: @Sendable () throws -> String
        /// Asks a yes/no question on the terminal; false when there is no terminal to ask.
        public var confirm: @Sendable (String) -> Bool
        /// Whether stdin and stdout are a terminal: `orange` alone then opens the dashboard.
        public var hasTerminal = false
        /// Where one-line progress of long git operations goes: set only when stderr is a
        /// terminal (`ProgressGit`, never under `--json`).
        public var progress: (@Sendable (String) -> Void)? = nil
    }

    /// `$ORANGE_HOME` (default `~/orange`).
    public var home: String
    public var stores: Stores
    public var processes: Processes
    public var console: Console
    public var clock: any TimeSource
    public var newTaskID: @Sendable () -> TaskID
    public var logger: any Logger
    public var workingDirectory: String
    public var environment: [String: String]
    /// Built-in and user-defined harnesses (`config.json`); an error when the config is invalid.
    public var harnesses: @Sendable () throws -> [Harness]
    /// Resolves symlinks; nil when the path does not exist.
    public var realPath: @Sendable (String) -> String?
    /// Reads a whole text file; nil when it does not exist or cannot be read.
    public var readFile: @Sendable (String) -> String?

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
        let layout = DataDirectory(home: home)
        stores = Stores(
            tasks: tasks, projects: projects, pool: pool, spawnGuards: FileSpawnGuards(layout: layout),
            workspaceFolders: FileWorkspaceFolders(layout: layout), agentLinks: FileAgentExecutableLinks(layout: layout),
            engineSync: FileEngineSync(layout: layout))
        processes = Processes(
            git: git, tmux: tmux, runInteractive: runInteractive, isInstalled: isInstalled, executablePath: executablePath)
        console = Console(diagnostics: diagnostics, readStandardInput: readStandardInput, confirm: confirm)
        self.clock = clock
        self.newTaskID = newTaskID
        self.logger = logger
        self.workingDirectory = workingDirectory
        self.environment = environment
        self.harnesses = harnesses
        self.realPath = realPath
        self.readFile = readFile
    }

    /// Where everything lives under `home`: the one place the data folder's layout is written.
    public var layout: DataDirectory { DataDirectory(home: home) }
    public var workspacesRoot: String { layout.workspacesRoot }
    public func workspacePath(_ name: String) -> String { layout.workspace(name) }
    public var logFile: String { layout.logFile }
}
