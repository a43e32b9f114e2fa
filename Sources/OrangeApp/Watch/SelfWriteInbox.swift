import OrangeCore
import Synchronization

/// orange's own writes made on the engine's other threads, waiting for the loop's thread.
final class SelfWriteInbox: Sendable {
    struct Write: Sendable {
        var key: TaskKey
        var record: TaskRecord
        var hash: UInt64
    }

    private let writes = Mutex<[Write]>([])

    func post(_ write: Write) { writes.withLock { $0.append(write) } }

    /// Everything posted since the last call, oldest first.
    func take() -> [Write] {
        writes.withLock { writes in
            defer { writes.removeAll() }
            return writes
        }
    }

    var isEmpty: Bool { writes.withLock(\.isEmpty) }
}
