/// A hash index from keys to their places in a holder's own storage, keeping only the places.
///
/// A `[Key: Int32]` beside an array of the keys stores every key twice, and Swift sizes its hash
/// table in powers of two at most three quarters full: at 100,000 `TaskKey`s (32 bytes) that is
/// 262,144 buckets of 36 bytes, 9.4 MB. Here each slot is 8 bytes, 32 bits of the key's hash and
/// its place, in a table kept at most seven eighths full (open addressing, linear probing):
/// 9.1 to 18.3 bytes an entry, 1 MB at 100,000 (131,072 slots). The holder keeps the keys; a
/// look-up is given the key and a way to test the key at a place, and compares keys only where
/// the 32 bits of hash match. The stored hash also places an entry when the table grows or an
/// entry is shifted back, so the index never hashes a key again.
///
/// Removal shifts the entries after the hole back (no tombstones). When the holder fills a hole
/// with its last element, `move` gives that element's entry its new place without comparing
/// keys. A value type: the slots are one array, copied on write.
public struct PositionIndex: HashedPositions, Sendable {
    /// 0 when empty, else the key's hash (low 32 bits) above its place plus one.
    private var slots: [UInt64] = []
    public private(set) var count = 0

    public init() {}

    public var isEmpty: Bool { count == 0 }
    /// Slots in the table (8 bytes each).
    public var capacity: Int { slots.count }

    /// The hash the index keeps of `key`: the holder passes it to the `hash:` calls (a sharded
    /// holder picks the shard from its other bits).
    @inlinable public static func hash<Key: Hashable>(_ key: Key) -> Int { key.hashValue }

    private static func tag(_ hash: Int) -> UInt64 { UInt64(UInt32(truncatingIfNeeded: hash)) }

    /// The place of the key hashed `hash` for which `matches(place)` holds.
    public func position(hash: Int, where matches: (Int) -> Bool) -> Int? {
        guard let bucket = bucket(hash: hash, where: matches) else { return nil }
        return Self.place(slots[bucket])
    }

    /// Adds the key hashed `hash` at `position`; the holder knows it is absent.
    public mutating func insert(_ position: Int, hash: Int) {
        reserveCapacity(count + 1)
        let mask = slots.count - 1
        var bucket = hash & mask
        while slots[bucket] != 0 { bucket = (bucket + 1) & mask }
        slots[bucket] = Self.slot(hash: hash, position: position)
        count += 1
    }

    /// The place of the key hashed `hash` for which `matches(place)` holds; when there is none,
    /// adds it at `position` and returns nil. One probe sequence for both.
    public mutating func insertIfAbsent(_ position: Int, hash: Int, where matches: (Int) -> Bool) -> Int? {
        if !slots.isEmpty && count + 1 <= Self.maximumCount(slots.count) {
            let mask = slots.count - 1
            let tag = Self.tag(hash)
            var bucket = hash & mask
            while slots[bucket] != 0 {
                let slot = slots[bucket]
                if slot >> 32 == tag && matches(Self.place(slot)) { return Self.place(slot) }
                bucket = (bucket + 1) & mask
            }
            slots[bucket] = Self.slot(hash: hash, position: position)
            count += 1
            return nil
        }
        if let existing = self.position(hash: hash, where: matches) { return existing }
        insert(position, hash: hash)
        return nil
    }

    /// Removes the key hashed `hash` for which `matches(place)` holds; returns its place.
    @discardableResult
    public mutating func remove(hash: Int, where matches: (Int) -> Bool) -> Int? {
        guard let bucket = bucket(hash: hash, where: matches) else { return nil }
        let position = Self.place(slots[bucket])
        removeSlot(at: bucket)
        return position
    }

    /// Gives the key hashed `hash` now at `old` the place `new` (the holder moved it there).
    public mutating func move(hash: Int, from old: Int, to new: Int) {
        guard let bucket = bucket(hash: hash, where: { $0 == old }) else {
            preconditionFailure("no entry at place \(old) with this hash")
        }
        slots[bucket] = Self.slot(hash: hash, position: new)
    }

    /// Room for `count` entries without growing.
    public mutating func reserveCapacity(_ count: Int) {
        guard count > Self.maximumCount(slots.count) else { return }
        var size = max(8, slots.count)
        while count > Self.maximumCount(size) { size <<= 1 }
        let old = slots
        slots = Array(repeating: 0, count: size)
        let mask = size - 1
        for slot in old where slot != 0 {
            var bucket = Int(truncatingIfNeeded: slot >> 32) & mask
            while slots[bucket] != 0 { bucket = (bucket + 1) & mask }
            slots[bucket] = slot
        }
    }

    public mutating func removeAll() {
        slots = []
        count = 0
    }

    /// Seven eighths of the slots.
    private static func maximumCount(_ size: Int) -> Int { size - size / 8 }

    private static func place(_ slot: UInt64) -> Int { Int(truncatingIfNeeded: slot & 0xFFFF_FFFF) - 1 }

    private static func slot(hash: Int, position: Int) -> UInt64 {
        precondition(position >= 0 && position < Int(UInt32.max), "place \(position) out of range")
        return tag(hash) << 32 | UInt64(position + 1)
    }

    private func bucket(hash: Int, where matches: (Int) -> Bool) -> Int? {
        guard !slots.isEmpty else { return nil }
        let tag = Self.tag(hash)
        return slots.withUnsafeBufferPointer { slots in
            let mask = slots.count - 1
            var bucket = hash & mask
            while true {
                let slot = slots[bucket]
                if slot == 0 { return nil }
                if slot >> 32 == tag && matches(Self.place(slot)) { return bucket }
                bucket = (bucket + 1) & mask
            }
        }
    }

    /// Empties `hole`, moving back each entry after it that may sit there (its home bucket is
    /// not between the hole and its place), so that every probe sequence stays unbroken.
    private mutating func removeSlot(at hole: Int) {
        count -= 1
        slots.withUnsafeMutableBufferPointer { slots in
            let mask = slots.count - 1
            var hole = hole
            var next = (hole + 1) & mask
            while slots[next] != 0 {
                let home = Int(truncatingIfNeeded: slots[next] >> 32) & mask
                if (next &- home) & mask >= (next &- hole) & mask {
                    slots[hole] = slots[next]
                    hole = next
                }
                next = (next + 1) & mask
            }
            slots[hole] = 0
        }
    }
}

/// An index of places by a key's hash (`PositionIndex`, `ShardedPositionIndex`), and the calls
/// by key made once on it for both.
public protocol HashedPositions {
    /// The place of the key hashed `hash` for which `matches(place)` holds.
    func position(hash: Int, where matches: (Int) -> Bool) -> Int?
    /// Adds the key hashed `hash` at `position`; the holder knows it is absent.
    mutating func insert(_ position: Int, hash: Int)
    /// The place of the key hashed `hash` for which `matches(place)` holds; when there is none,
    /// adds it at `position` and returns nil.
    mutating func insertIfAbsent(_ position: Int, hash: Int, where matches: (Int) -> Bool) -> Int?
    /// Removes the key hashed `hash` for which `matches(place)` holds; returns its place.
    @discardableResult mutating func remove(hash: Int, where matches: (Int) -> Bool) -> Int?
    /// Gives the key hashed `hash` now at `old` the place `new` (the holder moved it there).
    mutating func move(hash: Int, from old: Int, to new: Int)
}

extension HashedPositions {
    /// The place of `key`; `keyAt` reads the key the holder keeps at a place.
    @inlinable
    public func position<Key: Hashable>(of key: Key, keyAt: (Int) -> Key) -> Int? {
        position(hash: PositionIndex.hash(key)) { keyAt($0) == key }
    }

    /// Adds `key` at `position`; the holder knows it is absent.
    @inlinable
    public mutating func insert<Key: Hashable>(_ key: Key, at position: Int) {
        insert(position, hash: PositionIndex.hash(key))
    }

    /// The place of `key`; when absent, adds it at `position` and returns nil.
    @inlinable
    public mutating func insertIfAbsent<Key: Hashable>(_ key: Key, at position: Int, keyAt: (Int) -> Key) -> Int? {
        insertIfAbsent(position, hash: PositionIndex.hash(key)) { keyAt($0) == key }
    }

    /// Removes `key`; returns its place.
    @discardableResult
    @inlinable
    public mutating func remove<Key: Hashable>(_ key: Key, keyAt: (Int) -> Key) -> Int? {
        remove(hash: PositionIndex.hash(key)) { keyAt($0) == key }
    }

    /// Gives `key`, now at `old`, the place `new`.
    @inlinable
    public mutating func move<Key: Hashable>(_ key: Key, from old: Int, to new: Int) {
        move(hash: PositionIndex.hash(key), from: old, to: new)
    }
}
