/// A `PositionIndex` split into 256 shards by the key's hash, for a holder that is copied to
/// readers at every change (see `ShardedDictionary`): a change made after a copy duplicates one
/// shard's slots (at 100,000 entries, 512 slots of 8 bytes) and the 256 shard entries.
public struct ShardedPositionIndex: HashedPositions, Sendable {
    private var shards: [PositionIndex]
    public private(set) var count = 0

    static var shardCount: Int { 256 }

    public init() {
        shards = Array(repeating: PositionIndex(), count: Self.shardCount)
    }

    public var isEmpty: Bool { count == 0 }
    /// Slots in all the shards (8 bytes each).
    public var capacity: Int { shards.reduce(0) { $0 + $1.capacity } }

    /// The shard of a hash: its top bits, since each shard keeps and places by the low 32.
    private static func shard(_ hash: Int) -> Int {
        Int(truncatingIfNeeded: UInt(bitPattern: hash) >> UInt(UInt.bitWidth - 8))
    }

    public func position(hash: Int, where matches: (Int) -> Bool) -> Int? {
        shards[Self.shard(hash)].position(hash: hash, where: matches)
    }

    public mutating func insert(_ position: Int, hash: Int) {
        shards[Self.shard(hash)].insert(position, hash: hash)
        count += 1
    }

    public mutating func insertIfAbsent(_ position: Int, hash: Int, where matches: (Int) -> Bool) -> Int? {
        let existing = shards[Self.shard(hash)].insertIfAbsent(position, hash: hash, where: matches)
        if existing == nil { count += 1 }
        return existing
    }

    @discardableResult
    public mutating func remove(hash: Int, where matches: (Int) -> Bool) -> Int? {
        let removed = shards[Self.shard(hash)].remove(hash: hash, where: matches)
        if removed != nil { count -= 1 }
        return removed
    }

    public mutating func move(hash: Int, from old: Int, to new: Int) {
        shards[Self.shard(hash)].move(hash: hash, from: old, to: new)
    }

    /// Room for `count` entries in all.
    public mutating func reserveCapacity(_ count: Int) {
        let each = count / Self.shardCount + 1
        for index in shards.indices { shards[index].reserveCapacity(each) }
    }
}
