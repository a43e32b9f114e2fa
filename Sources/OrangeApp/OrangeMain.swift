import OrangeCore
import OrangeSystem

/// Builds the real context from the process environment, runs the command line, prints, exits.
public enum OrangeMain {
    public static func run() -> Never {
        // The engine holds every task for days: one malloc arena, set before any thread has
        // taken one of its own (a thread started before the engine's own call kept a second
        // arena, about 50 MB resident at 100,000 tasks; docs/performance.md).
        if CommandLine.arguments.dropFirst().first == "watch" { HeapTuning.useOneArena() }
        ProcessControl.ignoreBrokenPipes()
        let environment = ProcessEnvironment.current()
        // Run by an agent, in its tmux session: when the session is ended (the task delegated,
        // merged, cancelled) the hang-up must not cut this command short half way through its
        // writes. Whoever ended the session waits for it to finish (`AgentSessions`).
        if environment["ORANGE_TASK_ID"] != nil { ProcessControl.ignoreHangUp() }
        let layout = DataDirectory.from(environment: environment)
        let home = layout.home
        let clock = SystemClock()
        let level = environment["ORANGE_LOG_LEVEL"].flatMap(LogLevel.init(name:)) ?? .info
        let logger = FileLogger(path: layout.logFile, minimumLevel: level, clock: clock)
        let ids = SystemTaskIDs()
        let runner = ProcessRunner()
        let context = AppContext(
            home: home,
            tasks: FileTaskStore(layout: layout),
            projects: FileProjectStore(path: layout.projectsFile),
            clock: clock,
            newTaskID: { ids.next() },
            git: RealGit(runner: runner),
            tmux: RealTmux(runner: runner, socket: environment["ORANGE_TMUX_SOCKET"].flatMap { $0.isEmpty ? nil : $0 }),
            pool: FilePoolStore(layout: layout),
            harnesses: { try HarnessConfiguration.load(layout.configFile) },
            isInstalled: { FileSystem.findExecutable($0, searchPath: environment["PATH"] ?? "/usr/bin:/bin") != nil },
            executablePath: FileSystem.currentExecutable() ?? CommandLine.arguments[0],
            runInteractive: { try runner.runInteractive($0) },
            logger: logger,
            workingDirectory: FileSystem.currentDirectory() ?? "/",
            environment: environment,
            readStandardInput: { try StandardStreams.readAllInput() },
            confirm: { question in StandardStreams.confirm(question) },
            realPath: { FileSystem.realPath($0) },
            diagnostics: { StandardStreams.writeError($0) },
            readFile: { try? FileSystem.readText($0) })
        var streaming = context
        streaming.console.streamOutput = { StandardStreams.writeOutput($0) }
        streaming.console.hasTerminal = ProcessControl.isTerminal(0) && ProcessControl.isTerminal(1)
        if ProcessControl.isTerminal(2) { streaming.console.progress = { StandardStreams.writeError($0) } }
        // ORANGE_ENGINE_READS=off: read the tree even when an engine runs (benchmarks, checks).
        if environment["ORANGE_ENGINE_READS"] != "off" { streaming.stores.engineReads = SocketEngineReads(home: home) }
        // Tasks shared with other machines (`orange sync`): claims go through the remote.
        streaming.stores.claims = GitSpawnClaims.forDataFolder(streaming)
        streaming.stores.sharedTasks = GitSharedTasksFolders(
            home: home, runner: streaming.processes.runner, environment: environment, clock: streaming.clock)
        let outcome = OrangeCLI(context: streaming).execute(Array(CommandLine.arguments.dropFirst()))
        StandardStreams.writeOutput(outcome.stdout)
        if let prepared = outcome.preparedStdout { StandardStreams.writeOutput(prepared) }
        StandardStreams.writeError(outcome.stderr)
        ProcessControl.exit(outcome.exitCode)
    }
}
