import OrangeCore

/// What `orange watch` (or the dashboard running the engine) asks of the engine, the seams the
/// slow-consumer tests use, and what a test reads back once the engine stopped.
extension WatchEngine {
    struct Options {
        var sweepIntervalSeconds: Double = 30
        /// Tasks per chunk of the kept ready `--json` list (`EngineListChunks`) at least; tests
        /// make it small so their edits cross chunks.
        var listChunkTasks = EngineListChunks.defaultTasksPerChunk
        var quietMilliseconds: UInt64 = 30
        /// The longest a storm (a git operation, a burst) holds changes back, so a stale git
        /// lock cannot stop the engine; tests of a held batch raise it, so a loaded machine's
        /// pauses cannot end their storm early.
        var stormCapMilliseconds: UInt64 = 1_000
        /// Degraded mode (F12): how often folders without a watch are polled and their watches
        /// retried (`--poll-interval`).
        var pollIntervalSeconds: Double = 1
        /// Only this project is watched, reconciled and spawned in (`--project`); nil: every one.
        var project: ProjectName?
        var json = false
        /// The CLI stops on SIGINT/SIGTERM. Signal dispositions are process-wide, so an engine run
        /// inside a test process stops through `stopHandle` instead.
        var handlesSignals = true
        /// False when another engine holds the lock: keep the graph current, never act (the
        /// dashboard following `orange watch`).
        var performsActions = true
        /// How often each followed pull request is asked about (`--pr-interval`); 0: never.
        var pullRequestIntervalSeconds: Double = 60
        /// With shared tasks (`orange sync`): how often the engine commits, fetches, merges and
        /// pushes (`--sync-interval`).
        var syncIntervalSeconds: Double = 3
        /// How long a `watch sync` waits before the engine says what it waits for, and how often
        /// it says it again.
        var syncReportSeconds: Double = 10
    }

    /// Seams for tests of a slow consumer (F24); both do nothing by default.
    struct Hooks {
        /// Runs on the worker's thread before each reconcile (a slow git or tmux).
        var beforeReconcile: @Sendable () -> Void = {}
        /// Runs on the loop's thread after each graph update: anything slow here stalls the
        /// reading of inotify events, which is what the kernel queue overflow is about.
        var afterGraphUpdate: () -> Void = {}
    }

    /// What the engine holds, for tests to compare with a fresh scan once `run()` returned.
    struct Snapshot: Sendable {
        var knownKeys: [TaskKey]
        var graph: [TaskID: TaskRecord]
        var reducer: WatchReducerState
        var watcherOverflows: Int
        var unwatchedFolders: Int
    }
}
