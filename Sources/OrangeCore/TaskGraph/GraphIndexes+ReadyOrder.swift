/// The ready tasks kept in the list's order (creation time, then id) between graphs, so a list
/// of 33,000 ready tasks at 100,000 does not sort them on each call (5–35 ms measured,
/// docs/performance.md, section 6): a change moves one entry, by binary search.
extension GraphIndexes {
    /// A ready task's place in the list's order.
    public struct ReadyKey: Comparable, Sendable {
        public var time: Int64
        public var id: TaskID

        public init(time: Int64, id: TaskID) { (self.time, self.id) = (time, id) }

        public static func < (a: ReadyKey, b: ReadyKey) -> Bool { a.time != b.time ? a.time < b.time : a.id < b.id }
    }

    /// Every ready task in the list's order: exactly `readyTasks` with each creation time.
    public var readyInOrder: [ReadyKey] { readyOrder }

    /// A ready task's key in `readyInOrder`; nil when it is not ready.
    public func readyKey(of id: TaskID) -> ReadyKey? { ready[id].map { ReadyKey(time: $0.time, id: id) } }

    /// Moves `id` in `readyOrder` from its old entry's place to its new one's.
    mutating func reorderReady(_ id: TaskID, old: ReadyEntry?, new: ReadyEntry?) {
        if let old, old.time != new?.time || new == nil {
            let key = ReadyKey(time: old.time, id: id)
            let place = readyOrder.sortedLowerBound(of: key)
            if place < readyOrder.count, readyOrder[place] == key { readyOrder.remove(at: place) }
        }
        if let new, old == nil || old!.time != new.time {
            let key = ReadyKey(time: new.time, id: id)
            readyOrder.insert(key, at: readyOrder.sortedLowerBound(of: key))
        }
    }

    /// `readyOrder` of every ready task at once (the whole-graph inits, which fill `ready` first).
    mutating func orderReady() {
        readyOrder = ready.entries.map { ReadyKey(time: $0.value.time, id: $0.key) }.sorted()
    }
}
