/// Hints, storms, sweeps and resyncs: deciding *when* to look at a task.
extension WatchReducer {
    /// Rule 1: complete writes and scan results are read at once; everything else after a trailing
    /// quiet period (attribute changes only stat). Overflow and rescan hints ask for a resync.
    mutating func apply(hints: [WatchHint], now: UInt64, into out: inout Output) {
        noteHintRate(hints, now: now)
        let quiet = configuration.quietPeriod
        var lostEvents = false
        for hint in hints {
            switch hint {
            case .taskFile(let project, let taskID, let kind):
                let key = TaskKey(project: project, taskID: taskID)
                let factor = noteHint(key, now: now) { slot in
                    switch kind {
                    case .completeWrite:
                        slot.awaitingCompleteWrite = false
                        slot.partialFactor = 1
                        slot.tentativeInvalid = nil
                    case .appeared:
                        // A scan cannot tell a finished file from one its writer has just
                        // created: an invalid read of it is believed only when read twice the
                        // same (a new folder's TASK.md, empty for an instant, was reported as
                        // invalid in a burst of 2,000 new tasks).
                        slot.awaitingCompleteWrite = true
                        slot.partialFactor = 1
                        slot.tentativeInvalid = nil
                    case .partialWrite:
                        slot.awaitingCompleteWrite = true
                    case .removed, .attributes:
                        break
                    }
                    return slot.partialFactor
                }
                switch kind {
                case .completeWrite, .appeared: request(.read, for: key, delay: 0, now: now, into: &out)
                case .partialWrite: request(.read, for: key, delay: quiet &* factor, now: now, into: &out)
                case .removed: request(.read, for: key, delay: quiet, now: now, into: &out)
                case .attributes: request(.stat, for: key, delay: quiet, now: now, into: &out)
                }
            case .taskDirectory(let project, let taskID, _):
                let key = TaskKey(project: project, taskID: taskID)
                noteHint(key, now: now) { _ in }
                request(.read, for: key, delay: quiet, now: now, into: &out)
            case .projectDirectory(let project, .removed):
                // A scan of the keys (O(tasks)): a project folder is rarely removed.
                for key in state.slots.allKeys.filter({ $0.project == project }).sorted() {
                    noteHint(key, now: now) { _ in }
                    request(.read, for: key, delay: quiet, now: now, into: &out)
                }
            case .projectDirectory(_, .appeared), .cookie:
                // The watcher scans a new project and reports its tasks; cookies are the loop's sync.
                break
            case .overflow:
                state.overflowCount += 1
                lostEvents = true
            case .rescan:
                state.rescanCount += 1
                lostEvents = true
            }
        }
        // Several in one batch are one request: a single resync covers them all.
        if lostEvents { requestResync(now: now, into: &out) }
    }

    /// Records that a hint named `key` now (and that a running sweep or resync has seen it).
    @discardableResult
    mutating func noteHint<R>(_ key: TaskKey, now: UInt64, _ body: (inout TaskSlot) -> R) -> R {
        markSeen(key)
        return withSlot(key) { slot in
            slot.lastHintAt = now
            return body(&slot)
        }
    }

    /// A running sweep or resync has seen `key`, so its end will not mistake the task for gone.
    mutating func markSeen(_ key: TaskKey) {
        let sweep = state.sweepInProgress ? state.sweepGeneration : nil
        let resync = state.resync.inProgress ? state.resync.generation : nil
        guard sweep != nil || resync != nil else { return }
        withSlot(key) { slot in
            if let sweep { slot.sweepSeen = sweep }
            if let resync { slot.resyncSeen = resync }
        }
    }

    // MARK: - Storm mode (rule 5)

    /// Counts change hints per quiet-period window and starts a storm on a burst, or on any hint
    /// while `.git/index.lock` exists. Scan results (`.appeared`) do not count as a burst, so the
    /// start-up scan of a big tree is read at once.
    mutating func noteHintRate(_ hints: [WatchHint], now: UInt64) {
        guard !hints.isEmpty else { return }
        let counted = hints.reduce(0) { count, hint in
            switch hint {
            case .taskFile(_, _, .appeared), .taskDirectory(_, _, .appeared), .projectDirectory(_, .appeared),
                .cookie, .overflow, .rescan:
                return count
            default:
                return count + 1
            }
        }
        if now - state.storm.windowStart >= configuration.quietPeriod {
            state.storm.windowStart = now
            state.storm.windowCount = 0
        }
        state.storm.windowCount += counted
        if state.storm.active {
            state.storm.lastHintAt = now
        } else if state.lockPresent {
            startStorm(at: now, now: now)
        } else if state.storm.windowCount > configuration.stormHintThreshold {
            startStorm(at: state.storm.windowStart, now: now)
        }
    }

    mutating func applyLock(present: Bool, now: UInt64) {
        state.lockPresent = present
        if present && !state.storm.active { startStorm(at: now, now: now) }
        // A release ends the storm once it has been quiet long enough (checked after every event),
        // counted from the release: the events of git's last writes may be handled just after it
        // is seen, and must still join the batch.
        if !present && state.storm.active { state.storm.lastHintAt = max(state.storm.lastHintAt, now) }
    }

    mutating func startStorm(at start: UInt64, now: UInt64) {
        state.storm.active = true
        state.storm.start = start
        state.storm.lastHintAt = now
        state.stormCount += 1
    }

    /// When the storm ends: after the storm quiet period once the lock is gone, and never later
    /// than the cap from its first event (a stale lock must not stop the watcher).
    var stormEndDeadline: UInt64? {
        guard state.storm.active else { return nil }
        let cap = state.storm.start &+ configuration.stormCap
        if state.lockPresent { return cap }
        return min(cap, max(state.storm.start, state.storm.lastHintAt) &+ configuration.stormQuietPeriod)
    }

    /// Ends the storm: every task that waited is read (or stat'ed) now, together, so their
    /// results form one batch.
    mutating func endStorm(now: UInt64, into out: inout Output) {
        state.storm.active = false
        state.storm.windowStart = now
        state.storm.windowCount = 0
        let waiting = state.storm.waiting.sorted()
        state.storm.waiting.removeAll()
        for key in waiting { dispatch(key, into: &out) }
    }

    // MARK: - Sweeps (rule 8)

    /// Starts a sweep unless one is running (requests coalesce), and schedules the next one.
    mutating func startSweep(now: UInt64, into out: inout Output) {
        state.nextSweepAt = configuration.sweepInterval.map { now &+ $0 }
        guard !state.sweepInProgress else { return }
        state.sweepInProgress = true
        state.sweepGeneration += 1
        state.sweepCount += 1
        out.requests.append(.sweep)
    }

    /// A task in the graph that the sweep did not find is re-read after the quiet period, and
    /// removed if it is still missing then.
    mutating func finishSweep(now: UInt64, into out: inout Output) {
        guard state.sweepInProgress else { return }
        state.sweepInProgress = false
        let generation = state.sweepGeneration
        rereadUnseen(now: now, into: &out) { $0.sweepSeen < generation }
    }

    mutating func rereadUnseen(now: UInt64, into out: inout Output, unseen: (TaskSlot) -> Bool) {
        let keys = state.slots.filter { $0.value.isInGraph && unseen($0.value) }.map(\.key).sorted()
        for key in keys {
            noteHint(key, now: now) { _ in }
            request(.read, for: key, delay: configuration.quietPeriod, now: now, into: &out)
        }
    }

    // MARK: - Forced resyncs (rule 7)

    /// Overflow or rescan: one resync, coalesced with any already running or scheduled, and
    /// delayed by the backoff when they come in a row (0, 100 ms, doubling to 10 s).
    mutating func requestResync(now: UInt64, into out: inout Output) {
        if state.resync.inProgress {
            state.resync.requestedAgain = true
            return
        }
        guard state.resync.scheduledAt == nil else { return }
        guard let last = state.resync.lastStartedAt, now < last &+ configuration.resyncBackoffMaximum else {
            // The first one, or the first after a long quiet time: at once, backoff starts over.
            state.resync.backoff = 0
            startResync(now: now, into: &out)
            return
        }
        let at = last &+ state.resync.backoff
        if at <= now {
            startResync(now: now, into: &out)
        } else {
            state.resync.scheduledAt = at
        }
    }

    mutating func startResync(now: UInt64, into out: inout Output) {
        state.resync.scheduledAt = nil
        state.resync.inProgress = true
        state.resync.requestedAgain = false
        state.resync.generation += 1
        state.resync.lastStartedAt = now
        state.resync.backoff =
            state.resync.backoff == 0
            ? configuration.resyncBackoffInitial
            : min(state.resync.backoff &* 2, configuration.resyncBackoffMaximum)
        state.resyncCount += 1
        out.requests.append(.fullResync)
        out.requests.append(
            .diagnostic(
                "watch: events were lost (overflows: \(state.overflowCount), rescans: \(state.rescanCount)); "
                    + "full resync #\(state.resyncCount)"))
    }

    /// Tasks the resync did not report are re-read after the quiet period; a resync asked for
    /// meanwhile follows after the backoff. The resync's own reads never ask for another one.
    mutating func finishResync(now: UInt64, into out: inout Output) {
        guard state.resync.inProgress else { return }
        state.resync.inProgress = false
        let generation = state.resync.generation
        rereadUnseen(now: now, into: &out) { $0.resyncSeen < generation }
        if state.resync.requestedAgain {
            state.resync.requestedAgain = false
            requestResync(now: now, into: &out)
        }
    }
}
