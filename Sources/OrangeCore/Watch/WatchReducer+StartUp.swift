/// The start-up scan in one step: the first full read of a tree, taken in bulk.
///
/// Task by task, the scan's hints made a slot in flight for every task (kept whole: 34 MB at
/// 100,000 tasks), then each read's answer was one event that found its slot again, marked it
/// for the batch and, once the last read was in, the batch was built in a dictionary: about
/// 1.3 s of a core and four tables of every task held together (docs/performance.md, section
/// 5). A task of the scan that parses needs none of that: its slot goes straight to the state
/// the batch leaves it in, built once. What the scan found that did not parse, and every hint
/// that is not the scan's plain "this TASK.md is there", still take the task-by-task path.
extension WatchReducer {
    /// The scan's hints, split: the tasks read in bulk, and the hints the task-by-task path takes.
    struct StartUpScan: Sendable {
        /// Tasks whose only hints are the scan's `.appeared` for their TASK.md (after their
        /// folder's): each is read at once, as `.read(key)`. Sorted, no key twice.
        var bulk: [TaskKey]
        /// Everything else (a folder without TASK.md, a project folder, a cookie), in order.
        var rest: [WatchHint]
    }

    /// One task of the bulk read whose TASK.md parsed.
    struct StartUpRead: Sendable {
        var key: TaskKey
        var fingerprint: FileFingerprint
        var contentHash: UInt64

        init(key: TaskKey, fingerprint: FileFingerprint, contentHash: UInt64) {
            self.key = key
            self.fingerprint = fingerprint
            self.contentHash = contentHash
        }
    }

    /// The split of `hints` when they are a start-up scan the reducer can take in bulk: it knows
    /// no task yet, nothing is pending (no storm, lock, sweep or resync, the sweep not due), and
    /// the hints are only the scan's `.appeared` (and cookies), no task named twice. Nil
    /// otherwise: the task-by-task path takes them, as it takes every later event.
    func startUpScan(_ hints: [WatchHint], now: UInt64) -> StartUpScan? {
        guard state.slots.count == 0, state.timers.count == 0, !state.storm.active,
            !state.lockPresent, !state.sweepInProgress, !state.resync.inProgress, state.resync.scheduledAt == nil,
            state.readsOutstanding == 0, state.dirtyKeys.isEmpty, state.heldSince == nil,
            state.nextSweepAt.map({ max(now, state.lastNow) < $0 }) ?? true
        else { return nil }
        var bulk: [TaskKey] = []
        var rest: [WatchHint] = []
        bulk.reserveCapacity(hints.count / 2 + 1)
        var index = hints.startIndex
        while index < hints.endIndex {
            defer { index += 1 }
            switch hints[index] {
            case .taskDirectory(let project, let taskID, .appeared):
                // The watcher names a task's folder, then its TASK.md: the folder's settle read
                // is covered by the file's read at once.
                if index + 1 < hints.endIndex, case .taskFile(project, taskID, .appeared) = hints[index + 1] {
                    bulk.append(TaskKey(project: project, taskID: taskID))
                    index += 1
                } else {
                    rest.append(hints[index])
                }
            case .taskFile(let project, let taskID, .appeared):
                bulk.append(TaskKey(project: project, taskID: taskID))
            case .projectDirectory(_, .appeared), .cookie:
                rest.append(hints[index])
            default:
                return nil
            }
        }
        // The watcher lists folders in name order, so this is one pass; a task named twice (or
        // also in `rest`) depends on the order of its hints: task by task, then.
        if !bulk.isSorted(by: <) { bulk.sort() }
        for pair in zip(bulk, bulk.dropFirst()) where pair.0 == pair.1 { return nil }
        for case .taskDirectory(let project, let taskID, _) in rest
        where bulk.sortedContains(TaskKey(project: project, taskID: taskID)) {
            return nil
        }
        return StartUpScan(bulk: bulk, rest: rest)
    }

    /// The scan's hints arrived at `now`: what the task-by-task path notes for them before any read.
    /// The slot table is sized for the `expected` tasks at once: grown slice by slice, its arrays
    /// doubled to twice the room a power of two past the count (3 MB at 100,000, kept for good).
    mutating func beginStartUp(_ hints: [WatchHint], expecting expected: Int, now requested: UInt64) {
        state.slots.reserveCapacity(state.slots.count + expected)
        let now = max(requested, state.lastNow)
        state.lastNow = now
        noteHintRate(hints, now: now)
    }

    /// A task of the bulk read whose answer did not parse (or is still to come): its slot as the
    /// scan's hint left it, one read in flight. The answer then takes the task-by-task path.
    mutating func startUpReadInFlight(_ key: TaskKey, hintedAt: UInt64) {
        withSlot(key) { slot in
            slot.lastHintAt = hintedAt
            slot.awaitingCompleteWrite = true
            slot.readsInFlight = 1
        }
        state.readsOutstanding += 1
    }

    /// Tasks of the bulk read that parsed, in key order, slice by slice: each slot as the
    /// start-up batch leaves it (content reported), but for the gate, which `finishStartUp`
    /// arms once the batch is complete.
    mutating func addStartUpReads(_ reads: [StartUpRead], hintedAt: UInt64) {
        for read in reads {
            var slot = TaskSlot()
            slot.current = .valid(contentHash: read.contentHash)
            slot.emitted = slot.current
            slot.fingerprint = read.fingerprint
            slot.lastHintAt = hintedAt
            slot.gatePending = true
            state.slots.insertNew(read.key, slot)
        }
    }

    /// The start-up batch goes to the engine at `now`: the gate of every task in it waits a
    /// quiet period from now, as a batch's does (it must not open before the engine holds the
    /// batch and has asked for its catch-up). `from`: the slot count before the scan.
    mutating func finishStartUp(reported: Int, slotsBefore: Int, now requested: UInt64) {
        guard reported > 0 else { return }
        let now = max(requested, state.lastNow)
        state.lastNow = now
        let gateDeadline = now &+ configuration.quietPeriod
        var armed: [TaskKey] = []
        armed.reserveCapacity(reported)
        state.slots.modifySlots(from: slotsBefore) { key, slot in
            // The tasks still in flight (answers that did not parse) are the task-by-task path's.
            guard slot.gatePending, slot.gateDeadline == nil else { return }
            slot.lastChangeAt = now
            slot.gateDeadline = gateDeadline
            armed.append(key)
        }
        for key in armed { state.timers.push(deadline: gateDeadline, key: key, kind: .gate) }
        state.batchCount += 1
    }
}

extension Array where Element: Comparable {
    /// Whether a sorted array holds `element` (binary search).
    fileprivate func sortedContains(_ element: Element) -> Bool {
        let place = sortedLowerBound(of: element)
        return place < endIndex && self[place] == element
    }

    fileprivate func isSorted(by before: (Element, Element) -> Bool) -> Bool {
        zip(self, dropFirst()).allSatisfy { !before($1, $0) }
    }
}
