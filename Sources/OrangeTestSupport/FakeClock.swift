import OrangeCore
import Synchronization

/// A clock that only moves when a test says so.
public final class FakeClock: TimeSource, @unchecked Sendable {
    // Guarded by `state`; the class is Sendable because every access takes the mutex.
    private let state: Mutex<(wall: Int64, mono: UInt64)>

    public init(start: Timestamp = Timestamp(millisecondsSinceEpoch: 1_767_225_600_000)) {
        state = Mutex((start.millisecondsSinceEpoch, 1_000_000_000))
    }

    public func now() -> Timestamp { Timestamp(millisecondsSinceEpoch: state.withLock { $0.wall }) }
    public func monotonicNanoseconds() -> UInt64 { state.withLock { $0.mono } }

    /// Sleeping on a fake clock moves it: a wait with a deadline ends without real time passing.
    public func sleep(milliseconds: Int) { advance(milliseconds: Int64(milliseconds)) }

    public func advance(milliseconds: Int64) {
        state.withLock {
            $0.wall += milliseconds
            $0.mono += UInt64(milliseconds) * 1_000_000
        }
    }
}
