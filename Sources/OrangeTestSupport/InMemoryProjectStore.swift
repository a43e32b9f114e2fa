import OrangeCore
import Synchronization

/// An in-memory project registry with the same semantics as the file one.
public final class InMemoryProjectStore: ProjectStore, @unchecked Sendable {
    // All state is behind the mutex, which is what makes the class safe to share.
    private let projects: Mutex<[Project]>

    public init(_ initial: [Project] = []) {
        projects = Mutex(initial)
    }

    public func list() throws -> [Project] { projects.withLock { $0 } }

    @discardableResult
    public func update(_ change: (inout [Project]) throws -> Void) throws -> [Project] {
        try projects.withLock { current in
            var copy = current
            try change(&copy)
            current = copy
            return copy
        }
    }
}

/// A logger that keeps entries for assertions.
public final class RecordingLogger: Logger, @unchecked Sendable {
    public struct Entry: Sendable {
        public var level: LogLevel
        public var component: String
        public var message: String
    }

    // Guarded by the mutex.
    private let entries: Mutex<[Entry]> = Mutex([])

    public init() {}

    public func log(_ level: LogLevel, _ component: String, _ message: String, _ context: [(String, JSONValue)]) {
        entries.withLock { $0.append(Entry(level: level, component: component, message: message)) }
    }

    public var recorded: [Entry] { entries.withLock { $0 } }
}

/// Task ids 0000…1, 0000…2, … so tests can name them.
public final class SequentialTaskIDs: @unchecked Sendable {
    // Guarded by the mutex.
    private let counter = Mutex(0)
    private let prefix: String

    public init(prefix: String = "t") {
        self.prefix = prefix
    }

    public func next() -> TaskID {
        let n = counter.withLock { value -> Int in
            value += 1
            return value
        }
        return TaskID(validating: "\(prefix)\(n)")!
    }
}
