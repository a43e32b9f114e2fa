/// What the graph holds (or should hold) for one task.
enum TaskView: Hashable, Sendable {
    case absent
    case valid(contentHash: UInt64)
    /// Invalid on disk; the engine keeps its last good state and shows the diagnostic.
    case invalid(line: Int?, reason: String)
}

/// Work waiting for a task's timer or for the end of a storm. Ordered: a read covers a stat.
enum PendingWork: Int, Comparable, Sendable {
    case none = 0, stat, read
    static func < (lhs: PendingWork, rhs: PendingWork) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// Everything the reducer remembers about one task. Never scanned in bulk per event: only sweeps
/// and resyncs (which are O(tasks) anyway) walk all slots.
struct TaskSlot: Equatable, Sendable {
    /// The latest state observed on disk, as the graph should see it.
    var current: TaskView = .absent
    /// What the engine was last told (or wrote itself); a batch reports only where they differ.
    var emitted: TaskView = .absent
    /// The fingerprint of the last read or stat; an equal stat means nothing to re-read.
    var fingerprint: FileFingerprint?
    /// When the last hint (or a stat that found the file gone) named this task.
    var lastHintAt: UInt64?
    /// A partial write was seen and no complete write since: an invalid read may be mid-write.
    var awaitingCompleteWrite = false
    /// Multiplier of the quiet period for partial writes, doubled each time one is read half done.
    var partialFactor: UInt64 = 1
    /// The fingerprint of an invalid read not yet believed (mid-write); the same one twice is believed.
    var tentativeInvalid: FileFingerprint?
    /// The last unreadable reason already reported, so each distinct one is shown once.
    var reportedUnreadable: String?
    /// The latest read was invalid or unreadable: the action gate stays shut.
    var latestReadIsBad = false

    var pending: PendingWork = .none
    /// Live settle deadline (the timer queue may hold stale ones).
    var settleDeadline: UInt64?
    var readsInFlight = 0
    var statsInFlight = 0
    /// True while `current` differs from `emitted` and is waiting in the next batch.
    var dirty = false

    /// The action gate: armed by every emitted change, opened (reported) once stable for S.
    var gatePending = false
    var lastChangeAt: UInt64 = 0
    var gateDeadline: UInt64?

    /// The generation of the last sweep / resync that saw this task.
    var sweepSeen: UInt64 = 0
    var resyncSeen: UInt64 = 0

    /// True if the graph has (or is about to get) an entry for this task.
    var isInGraph: Bool {
        if case .absent = current { return false }
        return true
    }
}

/// A storm: a VCS operation or an event burst, during which reads wait and changes are held so
/// the whole operation becomes one graph update.
struct StormState: Sendable {
    var active = false
    var start: UInt64 = 0
    var lastHintAt: UInt64 = 0
    /// Tasks with pending work waiting for the storm to end.
    var waiting: Set<TaskKey> = []
    /// Start of the current rate window (one quiet period long) and the hints counted in it.
    var windowStart: UInt64 = 0
    var windowCount = 0
}

/// Forced full resyncs (overflow, rescan) and their backoff.
struct ResyncState: Sendable {
    var inProgress = false
    /// Another resync was asked for while one ran.
    var requestedAgain = false
    /// A resync waiting for its backoff to pass.
    var scheduledAt: UInt64?
    var lastStartedAt: UInt64?
    /// The delay before the next forced resync: 0, then `resyncBackoffInitial`, doubling.
    var backoff: UInt64 = 0
    var generation: UInt64 = 0
}

/// The whole state of the watch reducer. Plain values only: copyable, comparable in tests, and
/// free of clocks and I/O.
public struct WatchReducerState: Sendable {
    var slots = TaskSlotTable()
    var timers = WatchTimerQueue()
    var storm = StormState()
    var resync = ResyncState()
    var lockPresent = false
    /// Reads requested and not yet answered; a batch is emitted once this is zero.
    var readsOutstanding = 0
    /// Tasks with a change waiting for the next batch, and since when the oldest has waited.
    var dirtyKeys: Set<TaskKey> = []
    var heldSince: UInt64?
    var sweepInProgress = false
    var sweepGeneration: UInt64 = 0
    var nextSweepAt: UInt64?
    var lastNow: UInt64 = 0

    /// `IN_Q_OVERFLOW` hints seen (each means lost events and a resync).
    public internal(set) var overflowCount = 0
    /// `.rescan` hints seen.
    public internal(set) var rescanCount = 0
    /// Full resyncs started.
    public internal(set) var resyncCount = 0
    /// Storms entered.
    public internal(set) var stormCount = 0
    /// Sweeps started.
    public internal(set) var sweepCount = 0
    /// `.graphChanged` batches emitted.
    public internal(set) var batchCount = 0

    /// Timer entries held, live and stale (bounded by about four per task), for status output.
    public var timerEntryCount: Int { timers.count }
    /// True while a storm holds changes back.
    public var isStorming: Bool { storm.active }
    /// The last reported state of `.git/index.lock`.
    public var vcsLockPresent: Bool { lockPresent }
    /// Tasks currently in the graph (valid or invalid), for the loop's bookkeeping.
    public var knownTaskCount: Int { slots.values.reduce(0) { $0 + ($1.isInGraph ? 1 : 0) } }
}
