import Dispatch
import OrangeCore
import OrangeSystem

/// The running dashboard: the UI thread, which owns the terminal and the state, plus the engine
/// thread, the tmux/git monitor and a queue for commands. The UI thread sleeps in `poll(2)` on the
/// keyboard and one self-pipe that every other thread (and SIGWINCH/SIGTERM) rings.
final class DashboardSession {
    let context: AppContext
    let projects: [Project]
    private var state: DashboardState
    private let terminal = RawTerminal()
    private let colour: Bool
    private var lastFrame = ""
    private var loaded = false
    /// Builds the rows after a change from the engine or the monitor, so that a key never waits
    /// behind them (issue 18: a second at 100,000 tasks); one build at a time.
    private let rowBuilder = DispatchQueue(label: "orange.dashboard.rows")
    private var buildingRows = false

    init(context: AppContext, project: ProjectName?, projects: [Project], layout: DashboardState.Layout) {
        self.context = context
        self.projects = projects
        state = DashboardState(project: project, now: context.clock.now())
        state.layout = layout
        state.poolSizes = Dictionary(projects.map { ($0.name, $0.poolSize) }, uniquingKeysWith: { a, _ in a })
        state.projectModes = Dictionary(projects.map { ($0.name, $0.modes) }, uniquingKeysWith: { a, _ in a })
        // https://no-color.org: any non-empty NO_COLOR turns colour off.
        let noColour = !(context.environment["NO_COLOR"] ?? "").isEmpty
        colour = !noColour && context.environment["TERM"] != "dumb"
    }

    static let signals: [Int32] = [TerminalSignals.interrupt, TerminalSignals.terminate, TerminalSignals.hangUp, TerminalSignals.resize]

    func run() throws -> Int32 {
        guard terminal.isTerminal else {
            throw OrangeError(
                "the dashboard needs a terminal; in scripts use 'orange dashboard --json', 'orange task list' or 'orange watch --json'")
        }
        let loop = try PollLoop()
        try PollLoop.installSignalHandlers(Self.signals, waker: loop.waker)
        defer { PollLoop.restoreDefaultSignalHandlers(Self.signals) }
        let inbox = DashboardInbox(waker: loop.waker)

        // Run the engine when nobody else does; otherwise follow the one that runs.
        let lock: EngineLock?
        do {
            lock = try EngineLock(home: context.home)
            state.engine = .running
        } catch {
            lock = nil
            let holder = (try? EngineLock.runningEngine(home: context.home))?.pid.map(String.init) ?? "?"
            state.engine = .following(holder: "followed (pid \(holder))")
        }
        let control = EngineControl()
        let engineDone = DispatchSemaphore(value: 0)
        // Following: the running engine's first rows show at once, while this dashboard's own
        // view of the tree (the follower below) loads.
        if lock == nil { askEngineForFirstRows(inbox: inbox) }
        startEngine(performsActions: lock != nil, control: control, inbox: inbox, done: engineDone)
        let monitor = DashboardMonitor(context: context, inbox: inbox)
        monitor.start()
        let actions = DispatchQueue(label: "orange.dashboard.commands")

        try terminal.enter()
        defer {
            terminal.restore()
            control.stop()
            monitor.stop()
            _ = engineDone.wait(timeout: .now() + 5)
            withExtendedLifetime(lock) {}
        }
        draw()
        while true {
            let outcome = try loop.wait(on: [terminal.input], until: .after(milliseconds: 1000))
            if outcome.signals.contains(where: { $0 != TerminalSignals.resize }) { return 0 }
            var quit = false
            if outcome.readable.contains(terminal.input) {
                guard let bytes = terminal.readAvailable() else { return 0 }
                for key in DashboardKeys.decode(bytes) where !quit {
                    quit = handle(key, actions: actions, inbox: inbox)
                }
            }
            if quit { return 0 }
            let mail = inbox.take()
            if let stopped = mail.engineStopped { throw OrangeError(stopped) }
            apply(mail, monitor: monitor)
            buildRowsAside(inbox: inbox)
            state.now = context.clock.now()
            draw(force: outcome.signals.contains(TerminalSignals.resize))
        }
    }

    // MARK: - Threads

    private func startEngine(performsActions: Bool, control: EngineControl, inbox: DashboardInbox, done: DispatchSemaphore) {
        var options = WatchEngine.Options()
        options.performsActions = performsActions
        options.handlesSignals = false
        let context = self.context
        let engineOptions = options
        DispatchQueue(label: "orange.dashboard.engine").async {
            do {
                let engine = try WatchEngine(
                    context: context, options: engineOptions, control: control,
                    onSnapshot: { snapshot in inbox.post { $0.snapshot = snapshot } },
                    print: { line in
                        let text = line.trimmingSpaces()
                        if !text.isEmpty && !text.hasPrefix("orange watch:") { inbox.post { $0.events.append(text) } }
                    })
                _ = try engine.run()
            } catch {
                inbox.post { $0.engineStopped = "the engine stopped: \(error)" }
            }
            done.signal()
        }
    }

    /// Asks the running engine for the rows of one screen (in the background: it answers within
    /// its read timeout or not at all, and the follower's snapshot replaces them either way).
    private func askEngineForFirstRows(inbox: DashboardInbox) {
        let query = DashboardQuery(
            project: state.project, layout: state.layout, sessions: nil, limit: max(1, terminal.size().rows - DashboardRenderer.chromeLines)
        )
        let reads = context.stores.engineReads
        DispatchQueue.global().async {
            guard let answer = reads.ask(.dashboard, query.arguments), let served = DashboardServedRows(engineAnswer: answer) else {
                return
            }
            inbox.post { $0.servedRows = served }
        }
    }

    private func apply(_ mail: DashboardInbox.Mail, monitor: DashboardMonitor) {
        // Rows made stale by a key in this turn are built at once, as before; only what this
        // mail changes may lag.
        let mayLag = state.rowsAreBuilt || state.rowsMayLag
        if let snapshot = mail.snapshot {
            state.graph = snapshot.graph
            state.servedRows = nil
            state.invalidFiles = snapshot.invalidFiles
            let busy = state.busy.filter { snapshot.graph[$0] != nil }
            if busy != state.busy { state.busy = busy }
            monitor.track(snapshot.graph, projects: projects)
            loaded = true
        } else if !loaded, let served = mail.servedRows {
            state.servedRows = served
        }
        // The monitor reports every two seconds; the rows are built again only when something changed.
        if let sessions = mail.sessions, sessions != state.sessions || !state.sessionsKnown {
            state.sessions = sessions
            state.sessionsKnown = true
        }
        if let stats = mail.stats, stats != state.stats { state.stats = stats }
        if let event = mail.events.last { state.lastEvent = event }
        for result in mail.results {
            if let id = result.task { state.busy.remove(id) }
            state.message = result.message
        }
        if mail.rowsBuilt { buildingRows = false }
        // What changed above is drawn once its rows are built aside; until then, the previous rows.
        if mayLag && !state.rowsAreBuilt { state.rowsMayLag = true }
        state.normalizeSelection()
    }

    /// Starts building the rows of the current state on `rowBuilder`, if they lag; the inbox
    /// rings when they are built, and the next frame shows them.
    private func buildRowsAside(inbox: DashboardInbox) {
        guard state.rowsMayLag, !state.rowsAreBuilt, !buildingRows else { return }
        buildingRows = true
        let rows = state
        rowBuilder.async {
            rows.buildRowModel()
            inbox.post { $0.rowsBuilt = true }
        }
    }

    // MARK: - Keys

    /// Applies a key; true when the dashboard should quit.
    private func handle(_ key: Key, actions: DispatchQueue, inbox: DashboardInbox) -> Bool {
        if case .list = state.mode { state.message = nil }
        let pageHeight = max(1, terminal.size().rows - 2)
        for effect in state.handle(key, pageHeight: pageHeight) {
            switch effect {
            case .quit:
                return true
            case .command(let arguments, let task):
                if let task { state.busy.insert(task) }
                let runner = commandContext()
                actions.async {
                    let outcome = OrangeCLI(context: runner).execute(arguments)
                    let message = Self.message(from: outcome, arguments: arguments)
                    inbox.post { $0.results.append((task, message)) }
                }
            case .attach(let id):
                attach(id)
            case .openURL(let url):
                state.message = openURL(url)
            case .viewFile(let id):
                guard let task = state.graph[id] else { break }
                let path = context.stores.tasks.taskFilePath(id, in: task.project)
                let text = context.readFile(path) ?? "(could not read \(path))"
                state.mode = .page(
                    title: path, lines: text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init), offset: 0)
            }
        }
        return false
    }

    /// Commands run in-process with the same context, but never ask on the terminal (the
    /// dashboard already asked) and never print over the frame.
    private func commandContext() -> AppContext {
        var runner = context
        runner.console.confirm = { _ in true }
        runner.console.diagnostics = { _ in }
        runner.console.streamOutput = { _ in }
        runner.processes.runInteractive = { _ in throw OrangeError("cannot attach from a background command") }
        return runner
    }

    static func message(from outcome: CommandOutcome, arguments: [String]) -> DashboardState.Message {
        if outcome.exitCode == 0 {
            let first =
                outcome.stdout.split(separator: "\n").first.map(String.init) ?? "done: orange \(arguments.prefix(2).joined(separator: " "))"
            return DashboardState.Message(first)
        }
        let error =
            outcome.stderr.split(separator: "\n").first.map(String.init) ?? "orange \(arguments.prefix(2).joined(separator: " ")) failed"
        return DashboardState.Message(error.hasPrefix("error: ") ? String(error.dropFirst(7)) : error, isError: true)
    }

    /// Gives the terminal to `tmux attach` until the user detaches (or switches the client when
    /// already inside tmux), then takes it back.
    private func attach(_ id: TaskID) {
        terminal.restore()
        let outcome = OrangeCLI(context: context).execute(["task", "attach", id.rawValue])
        try? terminal.enter()
        lastFrame = ""
        if outcome.exitCode != 0 { state.message = Self.message(from: outcome, arguments: ["task", "attach"]) }
    }

    // MARK: - Drawing

    private func draw(force: Bool = false) {
        let size = terminal.size()
        var frame = DashboardRenderer.render(state, width: size.columns, height: size.rows)
        if !loaded, state.servedRows == nil, frame.lines.count > 2 { frame.lines[2] = ScreenFrame.Line(" Loading tasks…", .dim) }
        let text = frame.ansi(colour: colour)
        if force || text != lastFrame {
            if force { terminal.write("\u{1B}[2J") }
            terminal.write(text)
            lastFrame = text
        }
    }
}
