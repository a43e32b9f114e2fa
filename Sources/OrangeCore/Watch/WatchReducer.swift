/// The pure decision core of `orange watch`: (state, event, now) → (state, actions, next deadline).
///
/// The loop feeds it watcher hints and the answers to its own requests, performs the actions it
/// returns (reads and stats at once, answering each), passes graph batches and the action gate to
/// the engine, and sleeps until `nextDeadline` (then sends `.tick`). Time is only ever the `now`
/// parameter, monotonic nanoseconds; nothing here does I/O. See docs/watcher.md.
///
/// Cost per event does not grow with the number of tasks: per-task state lives in dictionaries and
/// timers in a heap. Only sweeps and resyncs, which are O(tasks) by nature, walk every task.
public struct WatchReducer: Sendable {
    /// The timing knobs.
    public let configuration: WatchConfiguration
    /// Everything remembered between events (counters are public for status output).
    public internal(set) var state = WatchReducerState()

    /// A reducer that knows no task yet; the first periodic sweep is one interval after `now`.
    /// Feed it the watcher's start-up hints (`TaskTreeWatcher.start()`) as the first event.
    public init(configuration: WatchConfiguration = WatchConfiguration(), now: UInt64) {
        self.configuration = configuration
        state.lastNow = now
        state.nextSweepAt = configuration.sweepInterval.map { now &+ $0 }
    }

    /// Applies one event at time `now` (monotonic ns; a value earlier than a previous one is
    /// treated as equal to it) and returns what to do, in order. Due timers run first and last,
    /// so the loop may send `.tick` late or not at all when another event comes first.
    public mutating func handle(_ event: WatchEvent, now requested: UInt64) -> [WatchAction] {
        let now = max(requested, state.lastNow)
        state.lastNow = now
        var out = Output()
        runDueTimers(now: now, into: &out)
        switch event {
        case .hints(let hints): apply(hints: hints, now: now, into: &out)
        case .fileRead(let key, let result): apply(read: result, for: key, now: now, into: &out)
        case .statResult(let key, let fingerprint): apply(stat: fingerprint, for: key, now: now, into: &out)
        case .vcsLock(let present): applyLock(present: present, now: now)
        case .tick: break
        case .sweepRequested: startSweep(now: now, into: &out)
        case .sweepFinished: finishSweep(now: now, into: &out)
        case .resyncFinished: finishResync(now: now, into: &out)
        case .selfWrite(let key, let hash): recordSelfWrite(key: key, hash: hash, now: now, into: &out)
        }
        runDueTimers(now: now, into: &out)
        emitBatchIfSettled(now: now, into: &out)
        dropStaleTimers()
        return out.actions()
    }

    /// When the loop must call back (with `.tick`) at the latest: the earliest settle or gate timer,
    /// storm end, resync backoff, held-batch safety limit or periodic sweep. `nil`: nothing to wait for.
    public var nextDeadline: UInt64? {
        var earliest: UInt64?
        func consider(_ deadline: UInt64?) {
            guard let deadline else { return }
            earliest = min(earliest ?? deadline, deadline)
        }
        consider(state.timers.first?.deadline)
        consider(stormEndDeadline)
        consider(state.resync.scheduledAt)
        consider(state.nextSweepAt)
        consider(state.heldSince.map { $0 &+ configuration.stormCap })
        return earliest
    }

    /// True when nothing is pending but the next periodic sweep: no timer, storm, read, resync,
    /// sweep or held batch. `orange watch --once` and tests wait for this.
    public var isSettled: Bool {
        state.timers.first == nil && !state.storm.active && state.readsOutstanding == 0
            && state.dirtyKeys.isEmpty && state.resync.scheduledAt == nil && !state.resync.inProgress
            && !state.sweepInProgress
    }

    /// True when nothing is pending for `key`: no timer, read or stat, nothing held for a batch,
    /// and the engine has been told its latest state. Whatever a hint for it started is over:
    /// either it went out in a batch, or the file turned out unchanged (a chmod, a touch, the
    /// same bytes written again), and that hint's time must not date a later change.
    public func isSettled(_ key: TaskKey) -> Bool {
        guard let slot = state.slots[key] else { return true }
        return slot.pending == .none && slot.settleDeadline == nil && slot.readsInFlight == 0
            && slot.statsInFlight == 0 && !slot.dirty && slot.current == slot.emitted
    }

    /// The tasks currently in the graph, sorted (O(tasks): for sweeps and status, not per event).
    public var knownKeys: [TaskKey] {
        state.slots.filter { $0.value.isInGraph }.map(\.key).sorted()
    }

    // MARK: - Output

    /// Actions collected while handling one event; batches and the gate go last, once each.
    struct Output {
        var requests: [WatchAction] = []
        var batch: [TaskKey: TaskChange] = [:]
        var allowed: [TaskKey] = []

        func actions() -> [WatchAction] {
            var result = requests
            if !batch.isEmpty { result.append(.graphChanged(batch)) }
            if !allowed.isEmpty { result.append(.actionsAllowed(allowed.sorted())) }
            return result
        }
    }

    // MARK: - Slots and work

    mutating func withSlot<R>(_ key: TaskKey, _ body: (inout TaskSlot) -> R) -> R {
        if state.slots[key] == nil { state.slots[key] = TaskSlot() }
        return body(&state.slots[key]!)
    }

    /// Asks for `work` on `key` after `delay` (0: now). A later request restarts the timer (trailing
    /// quiet period); during a storm the work waits for the storm's end instead.
    mutating func request(_ work: PendingWork, for key: TaskKey, delay: UInt64, now: UInt64, into out: inout Output) {
        withSlot(key) { $0.pending = max($0.pending, work) }
        if state.storm.active {
            state.slots[key]!.settleDeadline = nil
            state.storm.waiting.insert(key)
        } else if delay == 0 {
            dispatch(key, into: &out)
        } else {
            let deadline = now &+ delay
            state.slots[key]!.settleDeadline = deadline
            state.timers.push(deadline: deadline, key: key, kind: .settle)
        }
    }

    /// Turns a task's pending work into a `.read` or `.stat` action now.
    mutating func dispatch(_ key: TaskKey, into out: inout Output) {
        guard var slot = state.slots[key] else { return }
        let work = slot.pending
        slot.pending = .none
        slot.settleDeadline = nil
        switch work {
        case .none:
            break
        case .stat where slot.fingerprint != nil:
            slot.statsInFlight += 1
            out.requests.append(.stat(key))
        case .stat, .read:
            slot.readsInFlight += 1
            state.readsOutstanding += 1
            out.requests.append(.read(key))
        }
        state.slots[key] = slot
    }

    /// Marks `key` for the next batch if its observed state differs from what the engine knows.
    mutating func noteChange(_ key: TaskKey, now: UInt64) {
        guard let slot = state.slots[key], slot.current != slot.emitted || slot.dirty else { return }
        state.slots[key]!.dirty = true
        state.dirtyKeys.insert(key)
        if state.heldSince == nil { state.heldSince = now }
    }

    // MARK: - Batches and timers

    /// Emits one `.graphChanged` with everything that settled, once no read is outstanding and no
    /// storm holds changes (or the oldest change has waited a full storm cap, as a safety net).
    mutating func emitBatchIfSettled(now: UInt64, into out: inout Output) {
        guard !state.dirtyKeys.isEmpty else { return }
        let overdue = state.heldSince.map { now >= $0 &+ configuration.stormCap } ?? false
        guard overdue || (state.readsOutstanding == 0 && !state.storm.active) else { return }
        for key in state.dirtyKeys {
            var slot = state.slots[key]!
            slot.dirty = false
            if slot.current != slot.emitted {
                switch slot.current {
                case .absent: out.batch[key] = .removed
                case .valid(let hash): out.batch[key] = .updated(contentHash: hash)
                case .invalid(let line, let reason): out.batch[key] = .invalid(line: line, reason: reason)
                }
                slot.emitted = slot.current
                slot.gatePending = true
                slot.lastChangeAt = now
                slot.gateDeadline = now &+ configuration.quietPeriod
                state.timers.push(deadline: slot.gateDeadline!, key: key, kind: .gate)
            }
            state.slots[key] = slot
        }
        // A large batch's room goes back (the start-up one names every task).
        state.dirtyKeys.removeAll(keepingCapacity: state.dirtyKeys.count <= 1024)
        state.heldSince = nil
        if !out.batch.isEmpty { state.batchCount += 1 }
    }

    /// Runs every timer due at `now`: storm end, resync backoff, periodic sweep, settle and gate.
    mutating func runDueTimers(now: UInt64, into out: inout Output) {
        if let end = stormEndDeadline, now >= end { endStorm(now: now, into: &out) }
        if let at = state.resync.scheduledAt, now >= at { startResync(now: now, into: &out) }
        if let at = state.nextSweepAt, now >= at { startSweep(now: now, into: &out) }
        while let top = state.timers.first, top.deadline <= now {
            _ = state.timers.popFirst()
            guard isLive(top) else { continue }
            switch top.kind {
            case .settle:
                state.slots[top.key]!.settleDeadline = nil
                if state.storm.active {
                    state.storm.waiting.insert(top.key)
                } else {
                    dispatch(top.key, into: &out)
                }
            case .gate:
                state.slots[top.key]!.gateDeadline = nil
                openGateIfStable(top.key, now: now, into: &out)
            }
        }
        if let held = state.heldSince, now >= held &+ configuration.stormCap {
            emitBatchIfSettled(now: now, into: &out)
        }
    }

    /// A timer entry is live if its task still expects exactly that deadline.
    func isLive(_ timer: WatchTimer) -> Bool {
        guard let slot = state.slots[timer.key] else { return false }
        switch timer.kind {
        case .settle: return slot.settleDeadline == timer.deadline
        case .gate: return slot.gateDeadline == timer.deadline
        }
    }

    /// Keeps the heap's top live (so `nextDeadline` is exact) and its size bounded by the live timers.
    mutating func dropStaleTimers() {
        while let top = state.timers.first, !isLive(top) { _ = state.timers.popFirst() }
        if state.timers.count > 4 * state.slots.count + 1024 {
            let slots = state.slots
            state.timers.compact { timer in
                guard let slot = slots[timer.key] else { return false }
                return timer.kind == .settle ? slot.settleDeadline == timer.deadline : slot.gateDeadline == timer.deadline
            }
        }
    }

    // MARK: - The action gate

    /// Re-arms the gate of a task whose pending work just finished, if it still waits to open.
    mutating func rearmGate(_ key: TaskKey, now: UInt64) {
        guard let slot = state.slots[key], slot.gatePending else { return }
        let deadline = max(slot.lastChangeAt &+ configuration.quietPeriod, now)
        guard slot.gateDeadline != deadline else { return }
        state.slots[key]!.gateDeadline = deadline
        state.timers.push(deadline: deadline, key: key, kind: .gate)
    }

    /// Closes an open gate (or restarts a waiting one) because the content is changing.
    mutating func restartGate(_ key: TaskKey, now: UInt64) {
        withSlot(key) { slot in
            slot.gatePending = true
            slot.lastChangeAt = now
        }
        rearmGate(key, now: now)
    }

    /// Reports `key` in `.actionsAllowed` if its content has been stable for S: no read, stat or
    /// settle pending, nothing waiting in a batch, and the latest read good. Otherwise the work
    /// still pending re-arms the gate when it finishes.
    mutating func openGateIfStable(_ key: TaskKey, now: UInt64, into out: inout Output) {
        guard let slot = state.slots[key], slot.gatePending else { return }
        let busy = slot.pending != .none || slot.readsInFlight > 0 || slot.statsInFlight > 0 || slot.dirty
        guard !busy, !slot.latestReadIsBad, now >= slot.lastChangeAt &+ configuration.quietPeriod else { return }
        if case .invalid = slot.current { return }
        state.slots[key]!.gatePending = false
        out.allowed.append(key)
    }
}
