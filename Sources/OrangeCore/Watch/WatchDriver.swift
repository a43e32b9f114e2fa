/// Drives a `WatchReducer` against a task tree: feeds it events, performs the reads, stats,
/// sweeps and resyncs it asks for through a `TaskTreeSource`, feeds the answers back until
/// nothing is left, and hands the engine what it must act on.
///
/// The engine runs it over the real watcher and files, the tests over an in-memory tree: the
/// same code in both. It keeps each parsed record beside the reducer's content hash, so a
/// change reaches the engine with the record that was read for it.
public struct WatchDriver {
    /// What the engine must do after a `handle` or `recordSelfWrite`, in order.
    public enum Output: Sendable {
        /// Tasks whose graph entry changed, sorted by key. The start-up scan's batch comes in
        /// parts, one per slice read, in key order.
        case graphChanged([AppliedTaskChange])
        /// orange's own write, for the engine's graph to take now (see `recordSelfWrite`).
        case selfWritten(AppliedTaskChange)
        /// These tasks' content is stable: the engine may act on them. Sorted.
        case actionsAllowed([TaskKey])
        /// Something the user should see.
        case diagnostic(String)
        /// The periodic sweep started: the engine's own backups (a full reconcile) go with it.
        case sweepStarted
        /// Events were lost and the tree is being listed again.
        case resyncStarted
        /// A cookie file appeared in `tasks/` (its token): `orange watch sync` and its kin.
        case cookie(String)
        /// Every part of the start-up scan's batch has been given (`graphChanged`): the engine
        /// holds the tree as read and may decide on it while the driver goes on.
        case startUpBatchEnded
    }

    public private(set) var reducer: WatchReducer
    /// The last record read for a task, with the hash of the bytes it came from, until the
    /// reducer reports that content (or something newer replaces it).
    private var parsed: [TaskKey: (hash: UInt64, record: CompactTaskRecord)] = [:]
    /// When the first hint of a change not yet reported arrived: the reaction's latency.
    private var firstHint: [TaskKey: UInt64] = [:]

    /// Whether the start-up scan is taken in bulk (`WatchReducer+StartUp`); off, task by task,
    /// as every later event: the tests' oracle.
    public var takesStartUpInBulk: Bool

    public init(reducer: WatchReducer, takesStartUpInBulk: Bool = true) {
        self.reducer = reducer
        self.takesStartUpInBulk = takesStartUpInBulk
    }

    /// Feeds `events` to the reducer and performs every request it makes (answering reads,
    /// stats, sweeps and resyncs from `source`) until nothing is left. `now` is read for every
    /// event, since reads take time.
    /// `trace` sees every request of the reducer as it is performed.
    public mutating func handle(
        _ events: [WatchEvent], source: some TaskTreeSource, now: () -> UInt64, trace: ((WatchAction) -> Void)? = nil
    ) -> [Output] {
        var out: [Output] = []
        handle(events, source: source, now: now, trace: trace) { out.append($0) }
        return out
    }

    /// `handle`, each output given to `emit` as soon as it is known, so the engine acts on it
    /// while the rest is read: the start-up scan's batch comes slice by slice, each folded into
    /// the engine's graph while the next slices are read (`readAtStartUp`).
    public mutating func handle(
        _ events: [WatchEvent], source: some TaskTreeSource, now: () -> UInt64, trace: ((WatchAction) -> Void)? = nil,
        emit: (Output) -> Void
    ) {
        var queue = events[...]
        var scan: (hints: [WatchHint], split: WatchReducer.StartUpScan)?
        if takesStartUpInBulk, case .hints(let hints)? = queue.first, let split = reducer.startUpScan(hints, now: now()) {
            scan = (hints, split)
            queue = (split.rest.isEmpty ? [] : [.hints(split.rest)]) + queue.dropFirst()
        }
        let hintedAt = now()
        noteHints(queue, now: hintedAt, emit: emit)
        if let scan {
            queue =
                readStartUp(scan.split.bulk, hints: scan.hints, hintedAt: hintedAt, from: source, now: now, trace: trace, emit: emit)[...]
                + queue
        }
        while let next = queue.popFirst() {
            let actions = reducer.handle(next, now: now())
            if let trace { actions.forEach(trace) }
            var index = actions.startIndex
            while index < actions.endIndex {
                // A run of reads is answered in one call, which a source may spread over cores
                // (the start-up scan, a resync and a git checkout ask for thousands at once).
                var reads: [TaskKey] = []
                while index < actions.endIndex, case .read(let key) = actions[index] {
                    reads.append(key)
                    index += 1
                }
                if !reads.isEmpty {
                    queue += read(reads, from: source)
                } else {
                    queue += perform(actions[index], source: source, emit: emit)
                    index += 1
                }
            }
            forgetFirstHintIfNothingChanged(after: next)
        }
        releaseEmptiedStorage()
    }

    /// orange wrote `record` (whose bytes hash to `hash`) to the key's TASK.md itself, and the
    /// rename has landed (F16): the engine's graph takes it now, and reading it back later is no
    /// change. Content that differs by then (a racing edit) is still reported.
    ///
    /// Every request the reducer makes meanwhile is performed from `source`, as in `handle`: the
    /// timers that come due with the write (another task's settle, the periodic sweep, a resync)
    /// ask for reads, stats and listings, and one left unanswered would hold that task, the
    /// sweep or the resync for ever (a `watch sync` was never answered: a sweep started this way
    /// never finished).
    public mutating func recordSelfWrite(
        _ key: TaskKey, record: TaskRecord, hash: UInt64, source: some TaskTreeSource, now: () -> UInt64,
        trace: ((WatchAction) -> Void)? = nil
    ) -> [Output] {
        let written = AppliedTaskChange(key: key, change: .updated(contentHash: hash), compact: CompactTaskRecord(record))
        return [.selfWritten(written)] + handle([.selfWrite(key, contentHash: hash)], source: source, now: now, trace: trace)
    }

    /// Keys the reducer knows (every task seen and not confirmed gone).
    public var knownKeys: [TaskKey] { reducer.knownKeys }
    /// The next time the reducer needs a `.tick`; nil when nothing is scheduled.
    public var nextDeadline: UInt64? { reducer.nextDeadline }
    /// Nothing pending but the periodic sweep.
    public var isSettled: Bool { reducer.isSettled }

    // MARK: - Performing the reducer's requests

    private mutating func read(_ keys: [TaskKey], from source: some TaskTreeSource) -> [WatchEvent] {
        // Room for a large run at once (the start-up read names every task): grown by doubling,
        // the old and the new table were held together, 66 MB at 100,000 tasks.
        if keys.count > 1024 { parsed.reserveCapacity(parsed.count + keys.count) }
        return zip(keys, source.read(keys)).compactMap { key, answer in
            guard let answer else { return nil }
            if case .parsed(_, let hash) = answer.result, let record = answer.compact {
                parsed[key] = (hash, record)
            } else {
                parsed[key] = nil
            }
            return .fileRead(key, answer.result)
        }
    }

    /// The start-up scan's tasks read in slices (`WatchReducer+StartUp`), each slice's parsed
    /// records handed to the engine as one part of the start-up batch as soon as the slice is
    /// read, while the source reads the next ones; the driver keeps none of them (its table of
    /// records waiting for their batch held every task, 44 MB at 100,000). Answers that did not
    /// parse come back as events for the task-by-task path.
    private mutating func readStartUp(
        _ keys: [TaskKey], hints: [WatchHint], hintedAt: UInt64, from source: some TaskTreeSource, now: () -> UInt64,
        trace: ((WatchAction) -> Void)?, emit: (Output) -> Void
    ) -> [WatchEvent] {
        reducer.beginStartUp(hints, expecting: keys.count, now: hintedAt)
        let slotsBefore = reducer.state.slots.count
        var reported = 0
        var events: [WatchEvent] = []
        source.readAtStartUp(keys, sliceSize: Self.startUpSlice) { slice, answers in
            if let trace { slice.forEach { trace(.read($0)) } }
            var reads: [WatchReducer.StartUpRead] = []
            var changes: [AppliedTaskChange] = []
            reads.reserveCapacity(slice.count)
            changes.reserveCapacity(slice.count)
            for (key, answer) in zip(slice, answers) {
                if let answer, case .parsed(let fingerprint, let hash) = answer.result {
                    reads.append(WatchReducer.StartUpRead(key: key, fingerprint: fingerprint, contentHash: hash))
                    var change = AppliedTaskChange(
                        key: key, change: .updated(contentHash: hash), compact: answer.compact, firstHintAt: hintedAt)
                    change.historyAgrees = answer.historyAgrees
                    changes.append(change)
                } else {
                    reducer.startUpReadInFlight(key, hintedAt: hintedAt)
                    firstHint[key] = hintedAt
                    // A nil answer comes later, as an event the caller sends.
                    if let answer { events.append(.fileRead(key, answer.result)) }
                }
            }
            reducer.addStartUpReads(reads, hintedAt: hintedAt)
            reported += changes.count
            if !changes.isEmpty {
                trace?(.graphChanged(Dictionary(uniqueKeysWithValues: changes.map { ($0.key, $0.change) })))
                emit(.graphChanged(changes))
            }
        }
        // The engine holds every part: it may go on with them (its catch-up) while the reducer
        // makes them one batch, whose gates all wait a quiet period from then.
        emit(.startUpBatchEnded)
        reducer.finishStartUp(reported: reported, slotsBefore: slotsBefore, now: now())
        return events
    }

    /// Tasks read at once by the start-up scan: enough for the source to spread over cores,
    /// few enough that one slice's answers are small beside the batch.
    public static let startUpSlice = 4096

    private mutating func perform(_ action: WatchAction, source: some TaskTreeSource, emit: (Output) -> Void) -> [WatchEvent] {
        switch action {
        case .read(let key):
            return read([key], from: source)
        case .stat(let key):
            return [.statResult(key, source.stat(key))]
        case .fullResync:
            emit(.resyncStarted)
            let found = source.resync().map { WatchHint.taskFile(project: $0.project, taskID: $0.taskID, kind: .appeared) }
            return [.hints(found), .resyncFinished]
        case .sweep:
            emit(.sweepStarted)
            return source.allTaskKeys().map { .statResult($0, source.stat($0)) } + [.sweepFinished]
        // The requests that are the engine's to act on.
        case .graphChanged(let changes):
            emit(.graphChanged(changes.sorted { $0.key < $1.key }.map { applied($0.key, $0.value) }))
            return []
        case .actionsAllowed(let keys):
            emit(.actionsAllowed(keys))
            return []
        case .diagnostic(let message):
            emit(.diagnostic(message))
            return []
        }
    }

    /// A reported change with the record read for it: the reducer reports the hash of the
    /// latest read, so the record kept for the key is the one with that hash.
    private mutating func applied(_ key: TaskKey, _ change: TaskChange) -> AppliedTaskChange {
        let firstHintAt = firstHint.removeValue(forKey: key)
        guard case .updated(let hash) = change else {
            parsed[key] = nil
            return AppliedTaskChange(key: key, change: change, compact: nil, firstHintAt: firstHintAt)
        }
        let kept = parsed.removeValue(forKey: key)
        return AppliedTaskChange(key: key, change: change, compact: kept?.hash == hash ? kept?.record : nil, firstHintAt: firstHintAt)
    }

    private mutating func noteHints(_ events: some Sequence<WatchEvent>, now: UInt64, emit: (Output) -> Void) {
        for case .hints(let hints) in events {
            for hint in hints {
                switch hint {
                case .taskFile(let project, let id, _), .taskDirectory(let project, let id, _):
                    let key = TaskKey(project: project, taskID: id)
                    if firstHint[key] == nil { firstHint[key] = now }
                case .cookie(let token):
                    emit(.cookie(token))
                default:
                    break
                }
            }
        }
    }

    /// A read or stat that left nothing pending and nothing to report ends what the task's
    /// first hint started (a change that went out in a batch already took its time): a chmod
    /// or a touch must not date the edit that comes seconds later (latency_ms, docs/watcher.md).
    private mutating func forgetFirstHintIfNothingChanged(after event: WatchEvent) {
        switch event {
        case .fileRead(let key, _), .statResult(let key, _):
            // Nothing left to report for it: the engine holds this content already.
            if reducer.isSettled(key) {
                firstHint[key] = nil
                parsed[key] = nil
            }
        default:
            break
        }
    }

    /// A dictionary keeps its capacity when emptied: after the start-up batch, the records
    /// waiting for the graph and the first-event times would hold room for every task, for good.
    private mutating func releaseEmptiedStorage() {
        if parsed.isEmpty && parsed.capacity > 1024 { parsed = [:] }
        if firstHint.isEmpty && firstHint.capacity > 1024 { firstHint = [:] }
    }
}

/// One change the engine applies to its graph.
public struct AppliedTaskChange: Sendable {
    public var key: TaskKey
    public var change: TaskChange
    /// For `.updated`: the task as read (or as orange wrote it), compact; nil when the driver
    /// holds no record for that content, which the engine then leaves as it was.
    public var compact: CompactTaskRecord?
    /// `compact`, whole.
    public var record: TaskRecord? {
        get { compact?.record }
        set { compact = newValue.map(CompactTaskRecord.init) }
    }
    /// When the first hint of this change arrived (monotonic nanoseconds); nil for orange's own
    /// writes and changes found without an event (a sweep, a resync).
    public var firstHintAt: UInt64?
    /// The start-up read found the task's history in agreement (`TaskFileRead.historyAgrees`):
    /// the start-up catch-up need not look at it. After `firstHintAt`, in its padding.
    public var historyAgrees = false

    public init(key: TaskKey, change: TaskChange, record: TaskRecord?, firstHintAt: UInt64? = nil) {
        self.key = key
        self.change = change
        compact = record.map(CompactTaskRecord.init)
        self.firstHintAt = firstHintAt
    }

    public init(key: TaskKey, change: TaskChange, compact: CompactTaskRecord?, firstHintAt: UInt64? = nil) {
        self.key = key
        self.change = change
        self.compact = compact
        self.firstHintAt = firstHintAt
    }
}
