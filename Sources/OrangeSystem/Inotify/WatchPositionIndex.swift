/// An open-addressing table of positions into an array kept by the caller (WatchedTree's
/// folders): the keys are not copied here, the caller hashes them and says which position
/// matches. Linear probing, removal by backward shift (no tombstones), at most 4/5 full.
///
/// 4 bytes a slot: at 100,000 folders 131,072 slots (512 KB), where a Swift dictionary of
/// 100,000 entries has 262,144 buckets plus a copy of every key.
struct WatchPositionIndex {
    private static let empty: Int32 = -1
    private var slots: [Int32] = []
    private(set) var count = 0

    /// The position whose key has `hash` and for which `matches` holds.
    func find(hash: Int, matching matches: (Int32) -> Bool) -> Int32? {
        guard !slots.isEmpty else { return nil }
        let mask = slots.count - 1
        var slot = hash & mask
        while slots[slot] != Self.empty {
            if matches(slots[slot]) { return slots[slot] }
            slot = (slot + 1) & mask
        }
        return nil
    }

    /// Adds `position` (not in the table yet). `hashOf` gives the hash of a position already in
    /// the table, for a growth.
    mutating func insert(_ position: Int32, hash: Int, hashOf: (Int32) -> Int) {
        reserveCapacity(count + 1, hashOf: hashOf)
        place(position, hash: hash)
        count += 1
    }

    /// Grows the table so that `capacity` positions fit without another growth.
    mutating func reserveCapacity(_ capacity: Int, hashOf: (Int32) -> Int) {
        guard capacity * 5 > slots.count * 4 else { return }
        var size = max(16, slots.count)
        while capacity * 5 > size * 4 { size *= 2 }
        let old = slots
        slots = Array(repeating: Self.empty, count: size)
        for position in old where position != Self.empty { place(position, hash: hashOf(position)) }
    }

    /// Removes `position`, whose key has `hash`; `hashOf` gives the hash of the positions after it
    /// in its run, which may move back into the hole.
    mutating func remove(_ position: Int32, hash: Int, hashOf: (Int32) -> Int) {
        guard var hole = slot(of: position, hash: hash) else { return }
        let mask = slots.count - 1
        slots[hole] = Self.empty
        count -= 1
        var next = (hole + 1) & mask
        while slots[next] != Self.empty {
            let home = hashOf(slots[next]) & mask
            // The entry at `next` may fill the hole unless its home lies cyclically in (hole, next].
            let homeAfterHole = hole <= next ? (home > hole && home <= next) : (home > hole || home <= next)
            if !homeAfterHole {
                slots[hole] = slots[next]
                slots[next] = Self.empty
                hole = next
            }
            next = (next + 1) & mask
        }
    }

    /// Replaces `old` (whose key has `hash`) by `new` in place: the caller's array moved the entry.
    mutating func replace(_ old: Int32, by new: Int32, hash: Int) {
        if let slot = slot(of: old, hash: hash) { slots[slot] = new }
    }

    private func slot(of position: Int32, hash: Int) -> Int? {
        guard !slots.isEmpty else { return nil }
        let mask = slots.count - 1
        var slot = hash & mask
        while slots[slot] != Self.empty {
            if slots[slot] == position { return slot }
            slot = (slot + 1) & mask
        }
        return nil
    }

    private mutating func place(_ position: Int32, hash: Int) {
        let mask = slots.count - 1
        var slot = hash & mask
        while slots[slot] != Self.empty { slot = (slot + 1) & mask }
        slots[slot] = position
    }
}
