import Dispatch
import Synchronization

/// Produces a run of results in order on a thread of its own while the caller takes them, in
/// the same order, on its thread: the producer works at most `ahead` results in front.
///
/// The engine's start-up reads every TASK.md in slices on both cores, and the loop thread then
/// folds each slice into the reducer and the graph. One after the other, a core idled while the
/// other folded a slice (about 0.8 s of the start-up at 100,000 tasks, docs/performance.md); in
/// step, the folding runs while the next slices are read. Producing on a dispatch thread, the
/// producer may itself spread each result over the cores (`ParallelMap`).
public enum ReadAhead {
    /// Calls `consume` with each index and its result, `produce(0)`, `produce(1)`, …
    /// `produce(count - 1)`, in order, on the calling thread; `produce` runs on another thread,
    /// never more than `ahead` results before the one `consume` is given. A single result is
    /// produced on the calling thread.
    public static func run<Result: Sendable>(
        count: Int, ahead: Int = 2, produce: @escaping @Sendable (Int) -> Result, consume: (Int, Result) -> Void
    ) {
        guard count > 1 else {
            if count == 1 { consume(0, produce(0)) }
            return
        }
        let handoff = Handoff<Result>()
        let room = DispatchSemaphore(value: max(1, ahead))
        let produced = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            for index in 0..<count {
                room.wait()
                handoff.store(produce(index), at: index)
                produced.signal()
            }
        }
        for index in 0..<count {
            produced.wait()
            let result = handoff.take(at: index)
            room.signal()
            consume(index, result)
        }
    }

    /// The results between the two threads: each stored once and taken once, then dropped.
    private final class Handoff<Result: Sendable>: Sendable {
        private let slots = Mutex<[Int: Result]>([:])

        func store(_ result: Result, at index: Int) {
            slots.withLock { $0[index] = result }
        }

        func take(at index: Int) -> Result {
            // `produced` was signalled after the store: the result is there.
            slots.withLock { $0.removeValue(forKey: index)! }
        }
    }
}
