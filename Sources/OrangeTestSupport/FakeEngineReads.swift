import OrangeCore
import Synchronization

/// An engine for unit tests: answers each kind with what `answers` returns (nil: as if no engine
/// ran) and records what it was asked.
public final class FakeEngineReads: EngineReads, Sendable {
    private let answers: @Sendable (EngineReadKind, JSONValue) -> JSONValue?
    private let asked = Mutex<[(EngineReadKind, JSONValue)]>([])

    public init(_ answers: @escaping @Sendable (EngineReadKind, JSONValue) -> JSONValue? = { _, _ in nil }) {
        self.answers = answers
    }

    /// The questions asked so far, in order.
    public var questions: [(kind: EngineReadKind, arguments: JSONValue)] { asked.withLock { $0.map { ($0.0, $0.1) } } }

    public func ask(_ kind: EngineReadKind, _ arguments: JSONValue) -> JSONValue? {
        asked.withLock { $0.append((kind, arguments)) }
        return answers(kind, arguments)
    }
}
