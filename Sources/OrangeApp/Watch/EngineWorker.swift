import Dispatch
import OrangeCore
import Synchronization

/// Runs reconciles (git, tmux, spawning) off the watch loop's thread, so the loop keeps
/// draining inotify while an agent starts. Requests made while one runs are merged into the next.
final class EngineWorker: Sendable {
    private struct State {
        var pending: Set<TaskID> = []
        var full = false
        var running = false
    }

    private let state = Mutex(State())
    private let queue = DispatchQueue(label: "orange.engine.reconcile")
    private let work: @Sendable ([TaskID]?) -> Void
    /// Called when the worker goes idle, so the loop can answer syncs without waiting for its
    /// next deadline.
    private let idle: @Sendable () -> Void

    init(onIdle idle: @escaping @Sendable () -> Void, _ work: @escaping @Sendable ([TaskID]?) -> Void) {
        self.work = work
        self.idle = idle
    }

    /// Asks for a reconcile of these tasks (nil: everything).
    func request(_ ids: [TaskID]?) {
        let start = state.withLock { state -> Bool in
            if let ids { state.pending.formUnion(ids) } else { state.full = true }
            if state.running { return false }
            state.running = true
            return true
        }
        if start { queue.async { self.drain() } }
    }

    /// True when no reconcile is running or waiting.
    var isIdle: Bool { state.withLock { !$0.running } }

    private func drain() {
        while true {
            let next = state.withLock { state -> [TaskID]?? in
                if state.full {
                    state.full = false
                    state.pending = []
                    return .some(nil)
                }
                if !state.pending.isEmpty {
                    let ids = Array(state.pending).sorted()
                    state.pending = []
                    return .some(ids)
                }
                state.running = false
                return .none
            }
            guard let ids = next else {
                idle()
                return
            }
            work(ids)
        }
    }
}
