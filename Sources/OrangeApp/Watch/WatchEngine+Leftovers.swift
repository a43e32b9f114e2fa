import Dispatch
import OrangeCore
import OrangeSystem

/// The start-up's removal of what a crash left (`LeftoverSweep`), once the start-up is done.
///
/// It lists every task folder: at 100,000 tasks, seconds of a core. Started with the catch-up, it
/// ran beside the catch-up's file checks and the reducer's start-up gates on a machine of two
/// cores, and the first `watch sync` (which waits for both) came that much later. Nothing waits
/// for it: a leftover is a file no reader looks at. It runs once the reducer has settled and the
/// worker is idle, or at the first sweep if the tree never settles before.
extension WatchEngine {
    func sweepLeftoversOnceSettled(_ worker: EngineWorker) {
        guard leftoverSweepOwed, driver.isSettled, worker.isIdle else { return }
        sweepLeftovers()
    }

    /// Removes the leftovers of processes that are gone, off the loop's thread (once).
    func sweepLeftovers() {
        guard leftoverSweepOwed else { return }
        leftoverSweepOwed = false
        let (home, project, emit) = (context.home, options.project, self.emit)
        DispatchQueue(label: "orange.engine.leftovers").async {
            for path in LeftoverSweep.run(home: home, project: project) {
                emit(
                    .object([("event", "engine"), ("removed_leftover", .string(path))]),
                    "  engine: removed \(path), left by a process that is gone")
            }
            // The listing of every folder was freed on this thread's heap: hand it back.
            HeapTuning.returnFreedMemory()
        }
    }
}
