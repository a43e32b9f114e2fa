/// The graph's tasks by id: the records in one dense array, and a small index from id to place.
///
/// A `[TaskID: TaskRecord]` stores each record inline in its hash table, which Swift keeps at
/// most three quarters full and sizes in powers of two: at 100,000 tasks that is 262,144 slots
/// of about 300 bytes, 69 MB mostly of empty slots, all resident since the records are spread
/// over every page. Here the index keeps places only (8 bytes a slot), and the records sit
/// side by side, each in its compact form (`CompactTaskRecord`, 128 bytes; docs/performance.md).
/// Order is insertion order, with a removal filled by the last record; nothing may rely on it
/// (a dictionary's order was no better).
///
/// Both are kept in pieces (`ChunkedArray`, `ShardedPositionIndex`): the engine hands its graph to
/// readers at every change, and a change made after that copies one piece, not 100,000 records.
public struct TaskTable: Sendable {
    private var stored = ChunkedArray<CompactTaskRecord>()
    /// The place of each id in `stored`, whose records hold the ids (8-byte slots: 1 MB at
    /// 100,000 tasks, where a `ShardedDictionary<TaskID, Int32>` kept a second copy of each id).
    private var positions = ShardedPositionIndex()

    public init() {}

    public var count: Int { stored.count }
    public var isEmpty: Bool { stored.isEmpty }
    /// Every task id, in the order of `values`.
    public var keys: LazyMapSequence<ChunkedArray<CompactTaskRecord>, TaskID> { stored.lazy.map(\.id) }
    /// Every record, in the order of `keys`; each is built from its compact form when read.
    public var values: Values { Values(stored: stored) }
    /// Every record in its compact form, for reads of the few fields it keeps inline.
    public var compactValues: ChunkedArray<CompactTaskRecord> { stored }

    public subscript(id: TaskID) -> TaskRecord? {
        position(of: id).map { stored[$0].record }
    }

    public func contains(_ id: TaskID) -> Bool { position(of: id) != nil }

    /// The place of `id`'s record in `compactValues` (`DenseTaskGraph` works on places).
    func position(of id: TaskID) -> Int? { positions.position(of: id) { stored[$0].id } }

    /// The compact form of the record with this id: its hot fields without building the record.
    public func compact(_ id: TaskID) -> CompactTaskRecord? {
        position(of: id).map { stored[$0] }
    }

    public mutating func reserveCapacity(_ count: Int) {
        stored.reserveCapacity(count)
        positions.reserveCapacity(count)
    }

    /// Adds or replaces the record with this id; returns the one it replaced.
    @discardableResult
    public mutating func upsert(_ record: TaskRecord) -> TaskRecord? {
        upsert(CompactTaskRecord(record))?.record
    }

    /// `upsert` of a record already in its compact form; returns the one it replaced.
    @discardableResult
    public mutating func upsert(_ record: CompactTaskRecord) -> CompactTaskRecord? {
        if let position = positions.insertIfAbsent(record.id, at: stored.count, keyAt: { stored[$0].id }) {
            let old = stored[position]
            stored[position] = record
            return old
        }
        stored.append(record)
        return nil
    }

    /// Removes the record with this id and returns it.
    @discardableResult
    public mutating func remove(_ id: TaskID) -> TaskRecord? {
        removeCompact(id)?.record
    }

    /// Removes the record with this id and returns its compact form.
    @discardableResult
    public mutating func removeCompact(_ id: TaskID) -> CompactTaskRecord? {
        guard let position = positions.remove(id, keyAt: { stored[$0].id }) else { return nil }
        let last = stored.removeLast()
        guard position < stored.count else { return last }
        let removed = stored[position]
        stored[position] = last
        positions.move(last.id, from: stored.count, to: position)
        return removed
    }

    /// The tasks as a dictionary (tests compare it with a scan).
    public var dictionary: [TaskID: TaskRecord] {
        Dictionary(uniqueKeysWithValues: stored.map { ($0.id, $0.record) })
    }

    /// The records, built one by one from their compact forms as they are read.
    public struct Values: RandomAccessCollection, Sendable {
        fileprivate let stored: ChunkedArray<CompactTaskRecord>
        public var startIndex: Int { 0 }
        public var endIndex: Int { stored.count }
        public subscript(position: Int) -> TaskRecord { stored[position].record }
    }
}
