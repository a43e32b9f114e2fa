import Dispatch
import OrangeCore
import OrangeSystem
import Synchronization

/// Where the dashboard's background threads (engine, tmux/git monitor, commands) leave what they
/// found; the UI thread takes it all at once after the waker rings. Only the newest snapshot,
/// session list and stats matter, so those are replaced rather than queued.
final class DashboardInbox: Sendable {
    struct Mail {
        var snapshot: EngineSnapshot?
        /// The running engine's first rows, shown until `snapshot` comes.
        var servedRows: DashboardServedRows?
        var sessions: [String: Bool]?
        var stats: [TaskID: WorkStats]?
        var events: [String] = []
        var results: [(task: TaskID?, message: DashboardState.Message)] = []
        var engineStopped: String?
        /// The rows of the state were built off the UI thread (`DashboardSession.buildRowsAside`).
        var rowsBuilt = false
    }

    private let mail = Mutex(Mail())
    let waker: PollWaker

    init(waker: PollWaker) {
        self.waker = waker
    }

    func post(_ change: (inout Mail) -> Void) {
        mail.withLock { change(&$0) }
        waker.wake()
    }

    func take() -> Mail {
        mail.withLock { mail in
            defer { mail = Mail() }
            return mail
        }
    }
}

/// Polls tmux (one `list-panes` call) every two seconds and git for each workspace every ten, or
/// sooner when the engine reports a change: the session icons and the commit/change columns.
/// Task state itself never comes from here; it comes from the engine's snapshots.
final class DashboardMonitor: Sendable {
    private struct State {
        var stopped = false
        var workspaces: [TaskID: (path: String, base: String)] = [:]
        var statsDue = true
    }

    private let state = Mutex(State())
    private let wakeup = DispatchSemaphore(value: 0)
    private let finished = DispatchSemaphore(value: 0)
    private let context: AppContext
    private let inbox: DashboardInbox

    init(context: AppContext, inbox: DashboardInbox) {
        self.context = context
        self.inbox = inbox
    }

    func start() {
        DispatchQueue(label: "orange.dashboard.monitor").async { self.run() }
    }

    /// The workspaces whose git figures to show; called on every engine change.
    func track(_ graph: TaskGraph, projects: [Project]) {
        var workspaces: [TaskID: (path: String, base: String)] = [:]
        let machine = context.stores.claims.machine
        // Only the tasks holding a workspace are built whole: at 100,000 tasks building every
        // record held up the dashboard's UI thread at each snapshot.
        for compact in graph.tasks.compactValues where compact.workspace != nil {
            let task = compact.record
            guard ClaimRule.runsHere(task, machine: machine) else { continue }  // another machine's worktree is not here
            guard let workspace = task.workspace, let project = projects.first(where: { $0.name == task.project }) else { continue }
            workspaces[task.id] = (context.workspacePath(workspace), project.defaultBranch)
        }
        state.withLock { state in
            if state.workspaces.mapValues(\.path) != workspaces.mapValues(\.path) { state.statsDue = true }
            state.workspaces = workspaces
        }
        // Any change may be a new or ended session: look at tmux now rather than in 2 s.
        wakeup.signal()
    }

    func stop() {
        state.withLock { $0.stopped = true }
        wakeup.signal()
        _ = finished.wait(timeout: .now() + 5)
    }

    private func run() {
        var lastStats: UInt64 = 0
        var offline: String?
        while true {
            let (stopped, statsDue, workspaces) = state.withLock { ($0.stopped, $0.statsDue, $0.workspaces) }
            if stopped { break }
            // Shared tasks whose remote stopped answering: said on the status line, once per change.
            let note = SyncRepository.offlineNote(home: context.home)
            if note != offline {
                offline = note
                let message = DashboardState.Message(note ?? "the shared tasks' remote answers again", isError: note != nil)
                inbox.post { $0.results.append((nil, message)) }
            }
            let sessions = context.processes.tmux.sessionStates()
            inbox.post { $0.sessions = sessions }
            let now = context.clock.monotonicNanoseconds()
            if statsDue || now - lastStats > 10_000_000_000 {
                state.withLock { $0.statsDue = false }
                lastStats = now
                var stats: [TaskID: WorkStats] = [:]
                for (id, workspace) in workspaces {
                    let origin = "origin/" + workspace.base
                    let base = context.processes.git.refExists(workspace.path, origin) ? origin : workspace.base
                    guard let commits = context.processes.git.commitCount(workspace.path, since: base) else { continue }
                    let lines = context.processes.git.lineChanges(workspace.path, since: base)
                    stats[id] = WorkStats(commits: commits, added: lines?.added ?? 0, removed: lines?.removed ?? 0)
                }
                inbox.post { $0.stats = stats }
            }
            _ = wakeup.wait(timeout: .now() + 2)
        }
        finished.signal()
    }
}
