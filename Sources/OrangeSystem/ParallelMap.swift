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
        // Contiguous chunks, a few per worker, so a slow stretch of files does not leave one
        // core idle while the other finishes.
        let chunks = workers * 4
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
