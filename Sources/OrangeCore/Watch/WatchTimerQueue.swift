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
///
/// Beside the heap, a run of timers pushed in order: a timer that comes no earlier than the
/// run's last joins its end and leaves from its front, with no sifting. The start-up batch arms
/// a gate per task with one deadline, and popping 100,000 of them from the heap took a tenth of
/// a second of the start-up's serial part (docs/performance.md). The order is the heap's alone
/// would give: (deadline, sequence) is a total order, and the run is sorted by it.
struct WatchTimerQueue: Sendable {
    private var heap: [WatchTimer] = []
    private var run: [WatchTimer] = []
    /// Where the run starts in `run` (the entries before it left).
    private var runStart = 0
    private var nextSequence: UInt64 = 0

    var count: Int { heap.count + run.count - runStart }
    var first: WatchTimer? {
        guard let runFirst = runStart < run.count ? run[runStart] : nil else { return heap.first }
        guard let heapFirst = heap.first else { return runFirst }
        return heapFirst.precedes(runFirst) ? heapFirst : runFirst
    }

    /// Every entry, in no particular order (O(n): for checks and tests).
    var entries: [WatchTimer] { heap + run[runStart...] }

    /// Whether an entry satisfies `predicate`, without copying them.
    func contains(where predicate: (WatchTimer) -> Bool) -> Bool {
        heap.contains(where: predicate) || run[runStart...].contains(where: predicate)
    }

    mutating func push(deadline: UInt64, key: TaskKey, kind: WatchTimer.Kind) {
        let timer = WatchTimer(deadline: deadline, sequence: nextSequence, key: key, kind: kind)
        nextSequence &+= 1
        if runStart == run.count || !timer.precedes(run[run.count - 1]) {
            run.append(timer)
            return
        }
        heap.append(timer)
        siftUp(heap.count - 1)
    }

    mutating func popFirst() -> WatchTimer? {
        guard let first else { return nil }
        if runStart < run.count && run[runStart].sequence == first.sequence {
            runStart += 1
            // Emptied after a burst (the start-up batch arms a gate per task): its room goes back.
            // A run that never empties drops what left it once that is half of it.
            if runStart == run.count {
                (run, runStart) = ([], 0)
            } else if runStart >= 1024 && runStart * 2 >= run.count {
                run.removeFirst(runStart)
                runStart = 0
            }
            return first
        }
        heap.swapAt(0, heap.count - 1)
        heap.removeLast()
        if !heap.isEmpty { siftDown(0) }
        if heap.isEmpty && heap.capacity > 1024 { heap = [] }
        return first
    }

    /// Keeps only the entries `isLive` accepts and rebuilds the heap (O(n), used rarely).
    mutating func compact(keeping isLive: (WatchTimer) -> Bool) {
        run = run[runStart...].filter(isLive)
        runStart = 0
        heap = heap.filter(isLive)
        var index = heap.count / 2
        while index > 0 {
            index -= 1
            siftDown(index)
        }
    }

    private mutating func siftUp(_ start: Int) {
        var child = start
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].precedes(heap[parent]) else { return }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    private mutating func siftDown(_ start: Int) {
        var parent = start
        while true {
            let left = 2 * parent + 1
            guard left < heap.count else { return }
            var smallest = left
            let right = left + 1
            if right < heap.count, heap[right].precedes(heap[left]) { smallest = right }
            guard heap[smallest].precedes(heap[parent]) else { return }
            heap.swapAt(smallest, parent)
            parent = smallest
        }
    }
}
