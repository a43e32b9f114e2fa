import Dispatch
import Glibc
import Synchronization

/// Serves one-line requests on a Unix stream socket at a path: one request line and one answer
/// (written as given, then the connection is closed) per connection, each handled on its own
/// worker so a slow answer never holds the next.
///
/// The accepting thread only polls and accepts; it never runs `handle`. Connections from another
/// uid are closed unanswered; a peer that sends nothing within `requestTimeout` is dropped.
public final class UnixLineServer: Sendable {
    public let path: String
    private let listener: Int32
    private let stopping = StopFlag()
    private let finished = DispatchSemaphore(value: 0)

    /// Listens at `path` (0600, replacing a dead server's socket file) and starts accepting.
    public convenience init(
        path: String, requestTimeoutMilliseconds: UInt64 = 2000, handle: @escaping @Sendable (String) -> String
    ) throws(SystemError) {
        try self.init(path: path, requestTimeoutMilliseconds: requestTimeoutMilliseconds) { (request: String) -> [UInt8] in
            Array(handle(request).utf8)
        }
    }

    /// `handle` gives the answer as bytes (a list of thousands of tasks is megabytes: not copied
    /// into a string and out again); a newline is written after it.
    public convenience init(
        path: String, requestTimeoutMilliseconds: UInt64 = 2000, handleBytes: @escaping @Sendable (String) -> [UInt8]
    ) throws(SystemError) {
        try self.init(path: path, requestTimeoutMilliseconds: requestTimeoutMilliseconds) { (request: String) -> Answer in
            Answer(bytes: handleBytes(request))
        }
    }

    /// An answer: its bytes, and a file whose descriptor goes with them (`SCM_RIGHTS`), held
    /// until sent.
    public struct Answer: Sendable {
        public var bytes: [UInt8]
        public var passing: [SealedMemoryFile]

        public init(bytes: [UInt8], passing: SealedMemoryFile? = nil) {
            self.bytes = bytes
            self.passing = passing.map { [$0] } ?? []
        }

        /// `bytes` with every file of `passing` (at most `ORANGE_MOST_DESCRIPTORS`).
        public init(bytes: [UInt8], passingAll passing: [SealedMemoryFile]) {
            self.bytes = bytes
            self.passing = passing
        }
    }

    public init(
        path: String, requestTimeoutMilliseconds: UInt64 = 2000, handleAnswer: @escaping @Sendable (String) -> Answer
    ) throws(SystemError) {
        self.path = path
        listener = try UnixStreamSocket.listen(at: path)
        let (listener, stopping, finished) = (listener, stopping, finished)
        let connections = DispatchQueue(label: "orange.line-server.connections", attributes: .concurrent)
        DispatchQueue(label: "orange.line-server.accept").async {
            var entry = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
            while !stopping.isSet {
                // The timeout is only a backstop: `stop` wakes the poll by connecting.
                guard poll(&entry, 1, 1000) > 0 else { continue }
                while let fd = UnixStreamSocket.acceptSameUser(listener) {
                    connections.async {
                        defer { UnixStreamSocket.close(fd) }
                        let deadline = UnixStreamSocket.now() + requestTimeoutMilliseconds * 1_000_000
                        guard let request = UnixStreamSocket.readLine(fd, deadline: deadline, limit: 1 << 20) else { return }
                        let answer = handleAnswer(request)
                        let sendBy = UnixStreamSocket.now() + 10_000_000_000
                        let sent = UnixStreamSocket.writeAll(fd, answer.bytes, passing: answer.passing.map(\.descriptor), deadline: sendBy)
                        if sent {
                            _ = UnixStreamSocket.writeAll(fd, [10], deadline: sendBy)
                        }
                    }
                }
            }
            finished.signal()
        }
    }

    /// Stops accepting, then removes the socket file and closes the listener. Requests already
    /// accepted still get their answer.
    public func stop() {
        guard stopping.set() else { return }
        if let fd = UnixStreamSocket.connect(to: path) { UnixStreamSocket.close(fd) }
        finished.wait()
        unlink(path)
        closeDescriptor(listener)
    }

    deinit { stop() }
}

/// Shared by the server and its accepting thread, so the thread does not keep the server alive.
private final class StopFlag: Sendable {
    private let value = Atomic<Bool>(false)
    var isSet: Bool { value.load(ordering: .acquiring) }
    /// Sets the flag; true for the call that set it.
    func set() -> Bool { !value.exchange(true, ordering: .acquiringAndReleasing) }
}
