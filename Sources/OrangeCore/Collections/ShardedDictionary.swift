/// A dictionary split into shards by the key's hash, so that a copy shares every shard and a
/// change made after the copy duplicates one shard instead of every entry.
///
/// The engine hands its graph to the read server, the worker and the dashboard at each change;
/// with plain dictionaries its next change then copied every table of the graph (100,000 ids and
/// their edges: the "copy on write" of docs/performance.md, section 6). Here that copy is one
/// shard of 1/256 of the entries, plus the 256 shard references.
public struct ShardedDictionary<Key: Hashable, Value> {
    private var shards: [[Key: Value]]
    public private(set) var count = 0

    static var shardCount: Int { 256 }

    public init() {
        shards = Array(repeating: [:], count: Self.shardCount)
    }

    /// The shard of `key`: the top bits of its hash, since each shard's own table places keys by
    /// the low bits (taking those would put every key of a shard in the same few slots).
    private static func shard(of key: Key) -> Int {
        Int(truncatingIfNeeded: UInt(bitPattern: key.hashValue) >> UInt(UInt.bitWidth - 8))
    }

    public var isEmpty: Bool { count == 0 }

    public subscript(key: Key) -> Value? {
        get { shards[Self.shard(of: key)][key] }
        set {
            if let newValue {
                updateValue(newValue, forKey: key)
            } else {
                removeValue(forKey: key)
            }
        }
    }

    @discardableResult
    public mutating func updateValue(_ value: Value, forKey key: Key) -> Value? {
        let old = shards[Self.shard(of: key)].updateValue(value, forKey: key)
        if old == nil { count += 1 }
        return old
    }

    @discardableResult
    public mutating func removeValue(forKey key: Key) -> Value? {
        let old = shards[Self.shard(of: key)].removeValue(forKey: key)
        if old != nil { count -= 1 }
        return old
    }

    /// Changes the value of `key` in place (no copy of it), starting from `defaultValue` when
    /// absent.
    public mutating func modify(
        _ key: Key, default defaultValue: @autoclosure () -> Value, _ body: (inout Value) -> Void
    ) {
        // One lookup: the default is made (and counted) only when the key is absent.
        var inserted = false
        body(
            &shards[Self.shard(of: key)][
                key,
                default: {
                    inserted = true
                    return defaultValue()
                }()])
        if inserted { count += 1 }
    }

    /// The value of `key`; when absent, `value` is inserted and nil returned. One lookup (a
    /// look-up, then an insertion, hashed the key four times: the start-up batch adds every task).
    public mutating func insertIfAbsent(_ value: Value, forKey key: Key) -> Value? {
        var inserted = false
        let current = Self.take(
            &shards[Self.shard(of: key)][
                key,
                default: {
                    inserted = true
                    return value
                }()])
        if inserted { count += 1 }
        return inserted ? nil : current
    }

    private static func take(_ value: inout Value) -> Value { value }

    /// Room for `count` entries in all.
    public mutating func reserveCapacity(_ count: Int) {
        let each = count / Self.shardCount + 1
        for index in shards.indices { shards[index].reserveCapacity(each) }
    }

    /// Every key, shard by shard (no order to rely on, as a dictionary's).
    public var keys: [Key] { shards.flatMap(\.keys) }

    /// Every entry, shard by shard (no order to rely on, as a dictionary's).
    public var entries: FlattenSequence<[[Key: Value]]> { shards.joined() }
}

extension ShardedDictionary: Sendable where Key: Sendable, Value: Sendable {}

extension ShardedDictionary where Value == TaskIDSet {
    /// Removes `id` from the set of `key`, and the entry when its set is left empty.
    mutating func remove(_ id: TaskID, fromSetOf key: Key) {
        modify(key, default: []) { $0.remove(id) }
        if self[key]?.isEmpty == true { removeValue(forKey: key) }
    }
}
