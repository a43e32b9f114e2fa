/// A per-task timer: a trailing settle read, or the action gate.
struct WatchTimer: Sendable {
    enum Kind: Sendable { case settle, gate }
    var deadline: UInt64
    /// Insertion order, so timers with the same deadline fire in a fixed order.
    var sequence: UInt64
    var key: TaskKey
    var kind: Kind

    func precedes(_ other: WatchTimer) -> Bool {
        (deadline, sequence) < (other.deadline, other.sequence)
    }
}

/// A binary min-heap of timers with lazy deletion: restarting a key's timer pushes a new entry and
/// the task slot remembers the live deadline; stale entries are dropped when they reach the top.
/// Push and pop are O(log n), so a hint costs the same with 10 or 10,000 pending timers.
struct WatchTimerQueue: Sendable {
    private(set) var entries: [WatchTimer] = []
    private var nextSequence: UInt64 = 0

    var count: Int { entries.count }
    var first: WatchTimer? { entries.first }

    mutating func push(deadline: UInt64, key: TaskKey, kind: WatchTimer.Kind) {
        entries.append(WatchTimer(deadline: deadline, sequence: nextSequence, key: key, kind: kind))
        nextSequence &+= 1
        siftUp(entries.count - 1)
    }

    mutating func popFirst() -> WatchTimer? {
        guard !entries.isEmpty else { return nil }
        entries.swapAt(0, entries.count - 1)
        let top = entries.removeLast()
        if !entries.isEmpty { siftDown(0) }
        // Emptied after a burst (the start-up batch arms a gate per task): its room goes back.
        if entries.isEmpty && entries.capacity > 1024 { entries = [] }
        return top
    }

    /// Keeps only the entries `isLive` accepts and rebuilds the heap (O(n), used rarely).
    mutating func compact(keeping isLive: (WatchTimer) -> Bool) {
        entries = entries.filter(isLive)
        var index = entries.count / 2
        while index > 0 {
            index -= 1
            siftDown(index)
        }
    }

    private mutating func siftUp(_ start: Int) {
        var child = start
        while child > 0 {
            let parent = (child - 1) / 2
            guard entries[child].precedes(entries[parent]) else { return }
            entries.swapAt(child, parent)
            child = parent
        }
    }

    private mutating func siftDown(_ start: Int) {
        var parent = start
        while true {
            let left = 2 * parent + 1
            guard left < entries.count else { return }
            var smallest = left
            let right = left + 1
            if right < entries.count, entries[right].precedes(entries[left]) { smallest = right }
            guard entries[smallest].precedes(entries[parent]) else { return }
            entries.swapAt(smallest, parent)
            parent = smallest
        }
    }
}
