import Dispatch
import Glibc

/// A thread of its own, at the lowest CPU priority, for work nothing waits on: it runs on what
/// the other threads leave idle and ends with its work.
///
/// The engine's leftover sweep lists every task folder (100,000 `openat` and `getdents64` at
/// 100,000 tasks) while the start-up's catch-up and the first `watch sync` need both cores
/// (docs/performance.md). A dispatch queue's thread goes back to a shared pool, and an
/// unprivileged process cannot raise a thread's priority again, so the sweep gets a thread that
/// no other work will use.
public enum LowPriorityThread {
    /// Starts `work` on a new detached thread at nice 19. If no thread can be made, `work` runs
    /// on a global dispatch queue at its usual priority instead: it still runs, only sooner.
    public static func start(_ work: @escaping @Sendable () -> Void) {
        let box = Unmanaged.passRetained(Work(work)).toOpaque()
        var thread = pthread_t()
        let started = pthread_create(
            &thread, nil,
            { raw in
                let work = Unmanaged<Work>.fromOpaque(raw!).takeRetainedValue()
                // On Linux a nice value belongs to a thread, and `who` 0 is the calling thread.
                _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 19)
                work.run()
                return nil
            }, box)
        if started == 0 {
            pthread_detach(thread)
        } else {
            let work = Unmanaged<Work>.fromOpaque(box).takeRetainedValue()
            DispatchQueue.global().async { work.run() }
        }
    }

    private final class Work: Sendable {
        let run: @Sendable () -> Void
        init(_ run: @escaping @Sendable () -> Void) { self.run = run }
    }
}
