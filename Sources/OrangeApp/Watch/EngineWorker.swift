import Dispatch
import OrangeCore
import Synchronization

/// Runs reconciles (git, tmux, spawning) off the watch loop's thread, so the loop keeps
/// draining inotify while an agent starts. Requests made while one runs are merged into the next.
///
/// Each request carries the engine's graph to decide on, or nil to read the tree from disk;
/// merged requests decide on the newest graph, or on disk if any of them asked for it.
final class EngineWorker: Sendable {
    private struct State {
        var pending: Set<TaskID> = []
        var full = false
        var running = false
        var graph: IndexedGraph?
        var fromDisk = false
        /// The reconcile running now (its tasks; nil: a full one) and since when (uptime
        /// nanoseconds); put in words only when asked.
        var job: (ids: [TaskID]?, since: UInt64)?
    }

    private let state = Mutex(State())
    private let queue = DispatchQueue(label: "orange.engine.reconcile")
    private let work: @Sendable ([TaskID]?, IndexedGraph?) -> Void
    /// Called when the worker goes idle, so the loop can answer syncs without waiting for its
    /// next deadline.
    private let idle: @Sendable () -> Void

    init(onIdle idle: @escaping @Sendable () -> Void, _ work: @escaping @Sendable ([TaskID]?, IndexedGraph?) -> Void) {
        self.work = work
        self.idle = idle
    }

    /// Asks for a reconcile of these tasks (nil: everything), deciding on `graph` (nil: on the
    /// tree read from disk).
    func request(_ ids: [TaskID]?, deciding graph: IndexedGraph?) {
        let start = state.withLock { state -> Bool in
            if let ids { state.pending.formUnion(ids) } else { state.full = true }
            if let graph { state.graph = graph } else { state.fromDisk = true }
            if state.running { return false }
            state.running = true
            return true
        }
        if start { queue.async { self.drain() } }
    }

    /// True when no reconcile is running or waiting.
    var isIdle: Bool { state.withLock { !$0.running } }

    /// The reconcile running now and for how many seconds: said when a `watch sync` waits long.
    var activity: (what: String, seconds: Double)? {
        let now = DispatchTime.now().uptimeNanoseconds
        guard let job = state.withLock({ $0.job }) else { return nil }
        let what =
            job.ids.map { ids in
                "a reconcile of " + ids.prefix(5).map(\.rawValue).joined(separator: ", ") + (ids.count > 5 ? ", …" : "")
            } ?? "a full reconcile"
        return (what, Double(now &- job.since) / 1e9)
    }

    private func drain() {
        while true {
            let next = state.withLock { state -> (ids: [TaskID]?, graph: IndexedGraph?)? in
                // Taken out, not copied: a graph held here would make the loop's next change
                // copy the whole graph again.
                let graph = state.fromDisk ? nil : state.graph
                defer { (state.graph, state.fromDisk) = (nil, false) }
                if state.full {
                    state.full = false
                    state.pending = []
                    return (nil, graph)
                }
                if !state.pending.isEmpty {
                    let ids = Array(state.pending).sorted()
                    state.pending = []
                    return (ids, graph)
                }
                state.running = false
                return nil
            }
            guard let next else {
                idle()
                return
            }
            state.withLock { $0.job = (next.ids, DispatchTime.now().uptimeNanoseconds) }
            work(next.ids, next.graph)
            state.withLock { $0.job = nil }
        }
    }
}
