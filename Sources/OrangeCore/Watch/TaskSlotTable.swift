/// The reducer's slots by task: the slots in one dense array, and a small index from key to place.
///
/// A `[TaskKey: TaskSlot]` stores each slot (about 260 bytes) inline in its hash table, which is
/// at most three quarters full and sized in powers of two: at 100,000 tasks, 262,144 slots of
/// about 290 bytes, 75 MB, all resident since the slots are spread over every page. Here the
/// empty places of the index cost 36 bytes each (docs/performance.md, the engine's memory).
struct TaskSlotTable: Sequence, Sendable {
    private var keys: [TaskKey] = []
    private var slots: [TaskSlot] = []
    private var positions: [TaskKey: Int32] = [:]

    var count: Int { slots.count }
    var values: [TaskSlot] { slots }

    /// The slot for `key`; setting nil removes it (its place is taken by the last slot).
    subscript(key: TaskKey) -> TaskSlot? {
        get { positions[key].map { slots[Int($0)] } }
        set {
            if let position = positions[key].map(Int.init) {
                if let newValue {
                    slots[position] = newValue
                } else {
                    positions[key] = nil
                    let lastKey = keys.removeLast(), lastSlot = slots.removeLast()
                    guard position < slots.count else { return }
                    keys[position] = lastKey
                    slots[position] = lastSlot
                    positions[lastKey] = Int32(position)
                }
            } else if let newValue {
                positions[key] = Int32(slots.count)
                keys.append(key)
                slots.append(newValue)
            }
        }
    }

    struct Iterator: IteratorProtocol {
        fileprivate var pairs: Zip2Sequence<[TaskKey], [TaskSlot]>.Iterator
        mutating func next() -> (key: TaskKey, value: TaskSlot)? {
            pairs.next().map { (key: $0.0, value: $0.1) }
        }
    }

    func makeIterator() -> Iterator {
        Iterator(pairs: zip(keys, slots).makeIterator())
    }
}
