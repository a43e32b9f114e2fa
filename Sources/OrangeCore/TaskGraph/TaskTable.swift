/// The graph's tasks by id: the records in one dense array, and a small index from id to place.
///
/// A `[TaskID: TaskRecord]` stores each record inline in its hash table, which Swift keeps at
/// most three quarters full and sizes in powers of two: at 100,000 tasks that is 262,144 slots
/// of about 260 bytes, 69 MB mostly of empty slots, all resident since the records are spread
/// over every page. Here the empty slots of the index cost 20 bytes each, and the records sit
/// side by side (docs/performance.md). Order is insertion order, with a removal filled by the
/// last record; nothing may rely on it (a dictionary's order was no better).
public struct TaskTable: Sendable {
    /// Every record, densely; a removed record's place is taken by the last one.
    public private(set) var values: [TaskRecord] = []
    private var positions: [TaskID: Int32] = [:]

    public init() {}

    public var count: Int { values.count }
    public var isEmpty: Bool { values.isEmpty }
    /// Every task id, in the order of `values`.
    public var keys: LazyMapSequence<[TaskRecord], TaskID> { values.lazy.map(\.id) }

    public subscript(id: TaskID) -> TaskRecord? {
        positions[id].map { values[Int($0)] }
    }

    public mutating func reserveCapacity(_ count: Int) {
        values.reserveCapacity(count)
        positions.reserveCapacity(count)
    }

    /// Adds or replaces the record with this id; returns the one it replaced.
    @discardableResult
    public mutating func upsert(_ record: TaskRecord) -> TaskRecord? {
        if let position = positions[record.id] {
            let old = values[Int(position)]
            values[Int(position)] = record
            return old
        }
        positions[record.id] = Int32(values.count)
        values.append(record)
        return nil
    }

    /// Removes the record with this id and returns it.
    @discardableResult
    public mutating func remove(_ id: TaskID) -> TaskRecord? {
        guard let position = positions.removeValue(forKey: id).map(Int.init) else { return nil }
        let last = values.removeLast()
        guard position < values.count else { return last }
        let removed = values[position]
        values[position] = last
        positions[last.id] = Int32(position)
        return removed
    }

    /// The tasks as a dictionary (tests compare it with a scan).
    public var dictionary: [TaskID: TaskRecord] {
        Dictionary(uniqueKeysWithValues: values.map { ($0.id, $0) })
    }
}
