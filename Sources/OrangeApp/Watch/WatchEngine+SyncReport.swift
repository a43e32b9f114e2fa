import OrangeCore
import OrangeSystem

/// A `watch sync` is answered once the engine has applied everything before it; when one waits
/// long, the engine says what it waits for, every `Options.syncReportSeconds` (10 s): the
/// reducer's pending work, the reconcile running and the programs it runs (a git or tmux that
/// hangs), so a person, or a test that timed out, sees why.
extension WatchEngine {
    /// Says what the waiting syncs wait for, when the time for it has come; sets the next time.
    func reportWaitingSyncs(_ worker: EngineWorker) {
        guard !pendingSyncs.isEmpty else {
            syncReportAt = nil
            return
        }
        let now = clock.monotonicNanoseconds()
        let interval = UInt64(options.syncReportSeconds * 1e9)
        guard let due = syncReportAt else {
            syncReportAt = now + interval
            return
        }
        guard now >= due else { return }
        syncReportAt = now + interval
        var reasons = driver.reducer.unsettledReasons
        if let activity = worker.activity {
            reasons.append("\(activity.what), running for \(Int(activity.seconds)) s")
        } else if !worker.isIdle {
            reasons.append("a reconcile about to start")
        }
        for program in ProcessRunner.runningPrograms() {
            reasons.append("\(program.commandLine) running for \(Int(program.seconds)) s")
        }
        for wait in FileLock.waitingFor() {
            reasons.append("waiting for the lock \(wait.path) for \(Int(wait.seconds)) s")
        }
        if !selfWrites.isEmpty { reasons.append("writes of the engine not yet applied") }
        let message =
            "\(pendingSyncs.count) watch sync(s) waiting: "
            + (reasons.isEmpty ? "nothing pending any more" : reasons.joined(separator: "; "))
        context.logger.warn("watch", message, [])
        emit(.object([("event", "diagnostic"), ("message", .string(message))]), "! \(message)")
    }
}
