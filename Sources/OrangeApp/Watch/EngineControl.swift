import OrangeCore
import OrangeSystem
import Synchronization

extension WatchEngine {
    typealias StopHandle = EngineStopHandle
}

/// Ends `run()` from another thread: sets a flag and wakes the loop.
final class EngineStopHandle: Sendable {
    private let requested = Atomic<Bool>(false)
    private let waker: PollWaker

    init(waker: PollWaker) { self.waker = waker }

    func stop() {
        requested.store(true, ordering: .releasing)
        waker.wake()
    }

    var isRequested: Bool { requested.load(ordering: .acquiring) }
}

/// The engine's view of the tasks at one moment, for the dashboard.
struct EngineSnapshot: Sendable {
    var graph: TaskGraph
    var invalidFiles: [InvalidTaskFile]
}

/// Lets another thread stop a running engine it could not hold a reference to (the dashboard
/// builds the engine on the engine's own thread), before or after the engine started.
final class EngineControl: Sendable {
    private let state = Mutex<(stopped: Bool, waker: PollWaker?)>((false, nil))

    init() {}

    var isStopped: Bool { state.withLock { $0.stopped } }

    func stop() {
        state.withLock { state -> PollWaker? in
            state.stopped = true
            return state.waker
        }?.wake()
    }

    /// Called by the engine with its loop's waker; true when a stop came first.
    func attach(_ waker: PollWaker) -> Bool {
        state.withLock { state in
            state.waker = waker
            return state.stopped
        }
    }
}
