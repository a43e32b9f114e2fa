/// A dictionary kept as its entries side by side in pieces (`ChunkedArray`) and a
/// `ShardedPositionIndex` from key to place: a removal fills its place with the last entry.
///
/// A Swift dictionary keeps each entry inline in a hash table at most three quarters full and
/// sized in powers of two, so between 1.33 and 2.67 times an entry's size per entry; here it is
/// the entry once plus an 8-byte slot (at most seven eighths full). Copies share every piece, and
/// a change after a copy duplicates one chunk of entries and one shard of the index, as in a
/// `ShardedDictionary`. Order is insertion order, disturbed by removals: nothing may rely on it.
public struct DenseDictionary<Key: Hashable, Value> {
    private var entryList = ChunkedArray<(key: Key, value: Value)>()
    private var positions = ShardedPositionIndex()

    public init() {}

    public var count: Int { entryList.count }
    public var isEmpty: Bool { entryList.isEmpty }

    private func position(of key: Key) -> Int? {
        positions.position(of: key) { entryList[$0].key }
    }

    public subscript(key: Key) -> Value? {
        position(of: key).map { entryList[$0].value }
    }

    /// Sets the value of `key`; returns the one it replaced.
    @discardableResult
    public mutating func updateValue(_ value: Value, forKey key: Key) -> Value? {
        if let position = positions.insertIfAbsent(key, at: entryList.count, keyAt: { entryList[$0].key }) {
            let old = entryList[position].value
            entryList[position].value = value
            return old
        }
        entryList.append((key: key, value: value))
        return nil
    }

    /// Removes `key`; returns its value.
    @discardableResult
    public mutating func removeValue(forKey key: Key) -> Value? {
        guard let position = positions.remove(key, keyAt: { entryList[$0].key }) else { return nil }
        let last = entryList.removeLast()
        guard position < entryList.count else { return last.value }
        let removed = entryList[position].value
        entryList[position] = last
        positions.move(last.key, from: entryList.count, to: position)
        return removed
    }

    /// Every entry (no order to rely on, as a dictionary's).
    public var entries: ChunkedArray<(key: Key, value: Value)> { entryList }
}

extension DenseDictionary: Sendable where Key: Sendable, Value: Sendable {}
