import Dispatch
import Glibc

/// Maps `0..<count` on every online CPU, keeping the order of the results.
///
/// Reading and parsing thousands of TASK.md files is independent work per file; on the 2-core
/// machines orange targets this halves `task list` on a large tree. Small inputs stay on the
/// calling thread, where starting workers would cost more than it saves.
public enum ParallelMap {
    public static func map<T: Sendable>(count: Int, minimumForThreads: Int = 256, _ transform: @Sendable (Int) -> T) -> [T] {
        let workers = min(Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))), 16)
        guard count >= minimumForThreads, workers > 1 else { return (0..<count).map(transform) }
        let results = ResultSlots<T>(count: count)
        // Contiguous chunks of at most about 64 items (at least four per worker), taken in turn:
        // the call returns when its last chunk does, so a core waits for at most one chunk. With
        // four chunks per worker, each of the engine's 4,096-task start-up slices left one core
        // idle for up to 512 reads (docs/performance.md).
        let chunks = max(workers * 4, (count + 63) / 64)
        DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
            let start = count * chunk / chunks, end = count * (chunk + 1) / chunks
            for index in start..<end { results.store(transform(index), at: index) }
        }
        return results.collect()
    }
}

/// One slot per result, each written by exactly one iteration of `concurrentPerform` and read
/// only after it returns (which orders the writes before the reads); hence `@unchecked`.
private final class ResultSlots<T>: @unchecked Sendable {
    private let slots: UnsafeMutableBufferPointer<T?>

    init(count: Int) {
        slots = .allocate(capacity: count)
        slots.initialize(repeating: nil)
    }

    deinit {
        slots.deinitialize()
        slots.deallocate()
    }

    func store(_ value: T, at index: Int) {
        slots[index] = value
    }

    func collect() -> [T] {
        slots.map { $0! }
    }
}
