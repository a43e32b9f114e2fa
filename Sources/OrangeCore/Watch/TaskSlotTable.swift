/// The reducer's slots by task: each slot at rest in 64 bytes in one dense array, a slot with
/// work in flight whole beside it, and a compact index from key to place.
///
/// A `[TaskKey: TaskSlot]` stores each slot (about 260 bytes) inline in its hash table, which is
/// at most three quarters full and sized in powers of two: at 100,000 tasks, 262,144 slots of
/// about 290 bytes, 75 MB, all resident since the slots are spread over every page. Nearly every
/// slot is at rest (its content reported, nothing pending), where all but its content hash, its
/// fingerprint and five numbers hold their initial values: those are all a resting slot keeps.
/// A slot reads back exactly as it was stored (docs/performance.md, the engine's memory).
struct TaskSlotTable: Sequence, Sendable {
    private var keys: [TaskKey] = []
    private var resting: [RestingSlot] = []
    /// The slots not at rest, whole; their place in `resting` holds a marker with their index
    /// here. A dense array, not a dictionary: at start-up every task is in flight at once.
    private var active: [TaskSlot] = []
    /// Indexes of `active` no slot uses.
    private var freeActive: [Int32] = []
    /// The place of each key in `keys` (`PositionIndex`: 8-byte slots, 1 MB at 100,000 tasks,
    /// where a `[TaskKey: Int32]` kept a second copy of every key in 262,144 buckets, 9.4 MB).
    private var positions = PositionIndex()

    var count: Int { keys.count }
    /// Slots kept whole (not at rest), for tests of what the table keeps compact.
    var wholeSlotCount: Int { active.count - freeActive.count }
    /// Every slot (O(tasks): for status output).
    var values: [TaskSlot] { keys.indices.map { slot(at: $0) } }

    mutating func reserveCapacity(_ count: Int) {
        keys.reserveCapacity(count)
        resting.reserveCapacity(count)
        positions.reserveCapacity(count)
    }

    /// The slot for `key`; setting nil removes it (its place is taken by the last slot).
    subscript(key: TaskKey) -> TaskSlot? {
        get { position(of: key).map { slot(at: $0) } }
        set {
            if let position = position(of: key) {
                if let newValue {
                    store(newValue, at: position)
                } else {
                    positions.remove(hash: PositionIndex.hash(key)) { $0 == position }
                    release(resting[position])
                    let lastKey = keys.removeLast(), lastResting = resting.removeLast()
                    guard position < keys.count else { return }
                    keys[position] = lastKey
                    resting[position] = lastResting
                    positions.move(lastKey, from: keys.count, to: position)
                }
            } else if let newValue {
                positions.insert(key, at: keys.count)
                keys.append(key)
                resting.append(RestingSlot(placeholder: ()))
                store(newValue, at: keys.count - 1)
            }
        }
    }

    /// Adds the slot of a key the table does not hold (the caller knows): one hash of the key.
    mutating func insertNew(_ key: TaskKey, _ slot: TaskSlot) {
        assert(position(of: key) == nil, "\(key) has a slot already")
        positions.insert(key, at: keys.count)
        keys.append(key)
        resting.append(RestingSlot(placeholder: ()))
        store(slot, at: keys.count - 1)
    }

    /// Changes the slots from place `start` on (the places of the slots added since the table
    /// held `start`, while none was removed), without looking any key up.
    mutating func modifySlots(from start: Int, _ body: (TaskKey, inout TaskSlot) -> Void) {
        for position in start..<keys.count {
            var slot = slot(at: position)
            body(keys[position], &slot)
            store(slot, at: position)
        }
    }

    private func position(of key: TaskKey) -> Int? {
        positions.position(of: key) { keys[$0] }
    }

    /// Every key, in the table's order (no order to rely on).
    var allKeys: [TaskKey] { keys }

    private func slot(at position: Int) -> TaskSlot {
        let entry = resting[position]
        return entry.isActive ? active[entry.activeIndex] : entry.slot
    }

    private mutating func store(_ slot: TaskSlot, at position: Int) {
        if let compact = RestingSlot(slot) {
            release(resting[position])
            resting[position] = compact
        } else if resting[position].isActive {
            active[resting[position].activeIndex] = slot
        } else if let free = freeActive.popLast() {
            active[Int(free)] = slot
            resting[position] = .marker(Int(free))
        } else {
            active.append(slot)
            resting[position] = .marker(active.count - 1)
        }
    }

    /// Frees the whole slot an entry points to, if any. Once none is in use (after the start-up
    /// batch, which had every task in flight) their room goes back.
    private mutating func release(_ entry: RestingSlot) {
        guard entry.isActive else { return }
        active[entry.activeIndex] = TaskSlot()
        freeActive.append(Int32(entry.activeIndex))
        if freeActive.count == active.count {
            (active, freeActive) = ([], [])
        }
    }

    struct Iterator: IteratorProtocol {
        fileprivate let table: TaskSlotTable
        fileprivate var position = 0
        mutating func next() -> (key: TaskKey, value: TaskSlot)? {
            guard position < table.keys.count else { return nil }
            defer { position += 1 }
            return (key: table.keys[position], value: table.slot(at: position))
        }
    }

    func makeIterator() -> Iterator {
        Iterator(table: self)
    }
}

/// A `TaskSlot` at rest: current and emitted the same valid content, a fingerprint, nothing
/// pending, no partial write or unreadable state remembered; its action gate may still wait to
/// open (every task of the start-up batch does, for a quiet period). 64 bytes.
private struct RestingSlot: Sendable {
    var contentHash: UInt64
    var inode: UInt64
    var size: UInt64
    var mtimeNanoseconds: Int64
    var lastChangeAt: UInt64
    var lastHintAt: UInt64
    /// `gateDeadline` less `lastChangeAt` (a quiet period, or a little more).
    var gateDelay: UInt32
    var sweepSeen: UInt32
    var resyncSeen: UInt32
    /// Bit 0: `lastHintAt` is set; bit 1: the slot is not at rest (kept whole elsewhere);
    /// bit 2: `gatePending`; bit 3: `gateDeadline` is set.
    var flags: UInt8

    /// The entry of a slot kept whole at `index` of the table's `active`.
    static func marker(_ index: Int) -> RestingSlot {
        RestingSlot(
            contentHash: UInt64(index), inode: 0, size: 0, mtimeNanoseconds: 0, lastChangeAt: 0, lastHintAt: 0, gateDelay: 0,
            sweepSeen: 0, resyncSeen: 0, flags: 2)
    }

    /// An entry about to be overwritten, pointing nowhere.
    init(placeholder: Void) {
        self.init(
            contentHash: 0, inode: 0, size: 0, mtimeNanoseconds: 0, lastChangeAt: 0, lastHintAt: 0, gateDelay: 0, sweepSeen: 0,
            resyncSeen: 0, flags: 0)
    }

    var isActive: Bool { flags & 2 != 0 }
    var activeIndex: Int { Int(contentHash) }

    private init(
        contentHash: UInt64, inode: UInt64, size: UInt64, mtimeNanoseconds: Int64, lastChangeAt: UInt64, lastHintAt: UInt64,
        gateDelay: UInt32, sweepSeen: UInt32, resyncSeen: UInt32, flags: UInt8
    ) {
        (self.contentHash, self.inode, self.size, self.mtimeNanoseconds) = (contentHash, inode, size, mtimeNanoseconds)
        (self.lastChangeAt, self.lastHintAt, self.gateDelay, self.sweepSeen, self.resyncSeen, self.flags) =
            (lastChangeAt, lastHintAt, gateDelay, sweepSeen, resyncSeen, flags)
    }

    /// The resting form of `slot`; nil when the slot is not at rest (or a number does not fit).
    init?(_ slot: TaskSlot) {
        guard case .valid(let hash) = slot.current, slot.emitted == slot.current, let print = slot.fingerprint,
            !slot.awaitingCompleteWrite, slot.partialFactor == 1, slot.tentativeInvalid == nil,
            slot.reportedUnreadable == nil, !slot.latestReadIsBad, slot.pending == .none, slot.settleDeadline == nil,
            slot.readsInFlight == 0, slot.statsInFlight == 0, !slot.dirty,
            let sweepSeen = UInt32(exactly: slot.sweepSeen), let resyncSeen = UInt32(exactly: slot.resyncSeen),
            let gateDelay = Self.gateDelay(slot)
        else { return nil }
        let flags: UInt8 =
            (slot.lastHintAt == nil ? 0 : 1) | (slot.gatePending ? 4 : 0) | (slot.gateDeadline == nil ? 0 : 8)
        self.init(
            contentHash: hash, inode: print.inode, size: print.size, mtimeNanoseconds: print.mtimeNanoseconds,
            lastChangeAt: slot.lastChangeAt, lastHintAt: slot.lastHintAt ?? 0, gateDelay: gateDelay,
            sweepSeen: sweepSeen, resyncSeen: resyncSeen, flags: flags)
    }

    /// The gate's deadline after the last change, if it fits (0 without one).
    private static func gateDelay(_ slot: TaskSlot) -> UInt32? {
        guard let deadline = slot.gateDeadline else { return 0 }
        return deadline >= slot.lastChangeAt ? UInt32(exactly: deadline - slot.lastChangeAt) : nil
    }

    var slot: TaskSlot {
        var slot = TaskSlot()
        slot.current = .valid(contentHash: contentHash)
        slot.emitted = slot.current
        slot.fingerprint = FileFingerprint(inode: inode, size: size, mtimeNanoseconds: mtimeNanoseconds)
        slot.lastChangeAt = lastChangeAt
        slot.lastHintAt = flags & 1 == 0 ? nil : lastHintAt
        slot.gatePending = flags & 4 != 0
        slot.gateDeadline = flags & 8 == 0 ? nil : lastChangeAt &+ UInt64(gateDelay)
        slot.sweepSeen = UInt64(sweepSeen)
        slot.resyncSeen = UInt64(resyncSeen)
        return slot
    }
}
