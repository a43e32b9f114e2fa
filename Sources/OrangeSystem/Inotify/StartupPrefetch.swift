import Dispatch
import OrangeCore
import Synchronization

/// Reads the TASK.md files the watcher's start-up scan finds while the scan goes on, on one
/// other core, so the start-up's single-threaded watcher and its read overlap.
///
/// Safe because each file is read after its folder's watch exists: a change after the read
/// raises an event, read again once the start-up batch is applied. The results are used by the
/// first read only (`take`), which is the start-up batch's; every later read goes to disk.
final class StartupPrefetch: Sendable {
    private struct State {
        var results: [TaskKey: TaskFileRead] = [:]
        var closed = false
    }

    private let tasksRoot: String
    private let state = Mutex(State())
    private let group = DispatchGroup()
    /// Serial: the other core reads while this one runs the watcher; more threads would only
    /// take turns with it.
    private let queue = DispatchQueue(label: "orange.watch.startup-prefetch", qos: .userInitiated)

    init(tasksRoot: String) {
        self.tasksRoot = tasksRoot
    }

    /// Reads `keys` in the background, unless `take` has already been called.
    func submit(_ keys: [TaskKey]) {
        guard !keys.isEmpty else { return }
        queue.async(group: group) { [self] in
            if state.withLock({ $0.closed }) { return }
            var found: [(TaskKey, TaskFileRead)] = []
            found.reserveCapacity(keys.count)
            for key in keys {
                if state.withLock({ $0.closed }) { break }
                found.append((key, WatchedTaskTree.readOne(key, tasksRoot: tasksRoot)))
            }
            state.withLock { state in
                for (key, read) in found { state.results[key] = read }
            }
        }
    }

    /// Stops the reading (what was not started is left to the caller), waits for the file in
    /// hand, and hands over every result once; later calls return nothing.
    func take() -> [TaskKey: TaskFileRead] {
        state.withLock { $0.closed = true }
        group.wait()
        return state.withLock { state in
            defer { state.results = [:] }
            return state.results
        }
    }
}
