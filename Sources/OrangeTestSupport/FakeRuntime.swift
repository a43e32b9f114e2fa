import OrangeCore
import Synchronization

/// A tmux server in memory: sessions by name, each with a pane that is alive until `exit`.
/// Every call is recorded, for tests that check what orange asked of tmux.
public final class FakeTmux: TmuxClient {
    public struct Session: Sendable, Equatable {
        public var directory: String
        public var command: [String]
        public var environment: [String: String]
        public var paneDead = false
        public var output = ""
        /// What was typed into the pane (`sendText`), in order.
        public var typed: [String] = []
    }

    private let state = Mutex<(sessions: [String: Session], calls: [String], refuse: String?)>(([:], [], nil))

    public init() {}

    public var sessions: [String: Session] { state.withLock { $0.sessions } }
    /// Each call, as `verb name`.
    public var calls: [String] { state.withLock { $0.calls } }

    private func record(_ call: String) { state.withLock { $0.calls.append(call) } }

    /// The agent's program exits; its pane stays, dead.
    public func exit(_ name: String) { state.withLock { $0.sessions[name]?.paneDead = true } }

    /// Every later `newSession` fails with `reason` (nil: they succeed again).
    public func refuseNewSessions(_ reason: String?) { state.withLock { $0.refuse = reason } }

    public func hasSession(_ name: String) -> Bool { state.withLock { $0.sessions[name] != nil } }

    public func newSession(_ name: String, directory: String, command: [String], environment: [String: String]) throws {
        record("new-session \(name)")
        try state.withLock { state in
            if let reason = state.refuse { throw FakeFailure(reason) }
            guard state.sessions[name] == nil else { throw FakeFailure("duplicate session: \(name)") }
            state.sessions[name] = Session(directory: directory, command: command, environment: environment)
        }
    }

    public func killSession(_ name: String) throws {
        record("kill-session \(name)")
        state.withLock { _ = $0.sessions.removeValue(forKey: name) }
    }

    public func listSessions() -> [String] { state.withLock { $0.sessions.keys.sorted() } }
    public func sessionStates() -> [String: Bool] { state.withLock { $0.sessions.mapValues { !$0.paneDead } } }
    public func isPaneDead(_ name: String) -> Bool? { state.withLock { $0.sessions[name]?.paneDead } }
    public func capturePane(_ name: String, lines: Int) -> String? { state.withLock { $0.sessions[name]?.output } }
    public func captureHistory(_ name: String, lines: Int) -> String? { capturePane(name, lines: lines) }

    public func sendText(_ name: String, text: String) throws {
        record("send-keys \(name) \(text)")
        try state.withLock { state in
            guard state.sessions[name] != nil else { throw FakeFailure("no such session: \(name)") }
            state.sessions[name]?.typed.append(text)
        }
    }

    public func panePIDs(_ name: String) -> [Int32] { [] }
    public func attachCommand(_ name: String, insideTmux: Bool) -> [String] {
        ["tmux", insideTmux ? "switch-client" : "attach", "-t", name]
    }
}

/// A process table with no agent processes: every session is empty, nothing to kill.
public struct EmptyProcessTable: ProcessTable {
    public let currentProcess: Int32

    public init(currentProcess: Int32 = 4242) { self.currentProcess = currentProcess }

    public func members(ofSession session: Int32) -> [Int32] { [] }
    public func kill(_ process: Int32) {}
    public func leaveSession() -> Bool { true }
}

/// The workspace pool's bindings in memory.
public final class InMemoryPoolStore: PoolStore {
    private let state: Mutex<PoolState>

    public init(_ initial: PoolState = PoolState()) { state = Mutex(initial) }

    public func read() throws -> PoolState { state.withLock { $0 } }

    public func update<T>(_ body: (inout PoolState) throws -> T) throws -> T {
        try state.withLock { current in
            var copy = current
            let result = try body(&copy)
            current = copy
            return result
        }
    }
}

/// A failure a fake reports, with what went wrong.
public struct FakeFailure: Error, Sendable, CustomStringConvertible {
    public var description: String

    public init(_ description: String) { self.description = description }
}
