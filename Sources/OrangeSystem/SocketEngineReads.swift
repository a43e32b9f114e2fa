import Glibc
import OrangeCore
import Synchronization

/// Asks the engine running for `home` over `$ORANGE_HOME/engine.sock`.
///
/// Freshness: before asking, it drops a cookie into `tasks/`; the engine answers only once it
/// has seen that cookie's event and applied everything before it to its graph, so the answer
/// reflects every write made before the call (the mechanism of `orange watch sync`, in process).
/// No socket, no engine listening, another user's socket, another protocol version or no answer
/// within the timeout: nil, and the command reads the tree itself.
public struct SocketEngineReads: EngineReads {
    public let home: String
    public let timeoutMilliseconds: UInt64
    /// A reconcile may start agents (git worktrees, tmux), which takes seconds: given up on
    /// sooner, the command would reconcile again beside the engine's.
    public let reconcileTimeoutMilliseconds: UInt64
    /// Whether a list may come in parts, several descriptors (`attached_parts`); false asks as a
    /// command from before them did (one descriptor), which an engine must still answer.
    public let takesParts: Bool
    private static let counter = Atomic<UInt64>(0)

    public init(
        home: String, timeoutMilliseconds: UInt64 = 2000, reconcileTimeoutMilliseconds: UInt64 = 30_000, takesParts: Bool = true
    ) {
        self.home = home
        self.takesParts = takesParts
        self.timeoutMilliseconds = timeoutMilliseconds
        self.reconcileTimeoutMilliseconds = reconcileTimeoutMilliseconds
    }

    public var socketPath: String { home + "/" + EngineReadProtocol.socketName }

    public func ask(_ kind: EngineReadKind, _ arguments: JSONValue) -> JSONValue? {
        exchange(kind, arguments, takesDescriptor: false).flatMap { EngineReadProtocol.decodeAnswer($0.bytes) }
    }

    /// The `--json` list comes as the engine's sealed memory file, printed from there without
    /// reading it (`StandardStreams.writeOutput`); an engine that attaches it instead is read as before.
    /// An engine that keeps the list in chunks passes them as several descriptors with the bytes
    /// around them (`attached_parts`), printed part by part.
    public func askForOutput(_ kind: EngineReadKind, _ arguments: JSONValue, outputKey: String) -> EngineOutputAnswer? {
        guard let (bytes, descriptors) = exchange(kind, arguments, takesDescriptor: true) else { return nil }
        if let (answer, parts) = EngineReadProtocol.decodePartsAnswer(bytes, key: outputKey) {
            return Self.received(parts, descriptors).map { EngineOutputAnswer(answer: answer, output: $0) }
        }
        guard let descriptor = descriptors.first else {
            return EngineReadProtocol.decodeAnswer(bytes).map { EngineOutputAnswer(answer: $0, output: nil) }
        }
        descriptors.dropFirst().forEach(closeDescriptor)
        guard let (answer, count) = EngineReadProtocol.decodePassedAnswer(bytes, key: outputKey) else {
            closeDescriptor(descriptor)
            return nil
        }
        // Not a sealed file as long as the header says: no answer (the descriptor is closed).
        return SealedMemoryFile.received(descriptor, byteCount: count).map { EngineOutputAnswer(answer: answer, output: $0) }
    }

    /// The parts with their descriptors, in order: nil (every descriptor closed) unless there is
    /// one descriptor per file part, each a sealed file holding its range.
    static func received(_ parts: [EngineReadProtocol.PassedPart], _ descriptors: [Int32]) -> SealedFileParts? {
        var files = descriptors[...]
        var output: [SealedFileParts.Part] = []
        var valid = parts.filter { if case .descriptor = $0 { return true } else { return false } }.count == descriptors.count
        for part in parts where valid {
            switch part {
            case .bytes(let bytes): output.append(.bytes(bytes))
            case .descriptor(let offset, let count):
                guard let file = SealedMemoryFile.received(files.removeFirst(), byteCount: offset + count) else {
                    valid = false
                    continue
                }
                output.append(.file(file, offset: offset, count: count))
            }
        }
        guard valid else {
            files.forEach(closeDescriptor)
            return nil
        }
        return SealedFileParts(output)
    }

    /// Drops the cookie, sends the request and reads the whole answer (and the descriptor the
    /// engine passed with it, when asked to take one).
    private func exchange(_ kind: EngineReadKind, _ arguments: JSONValue, takesDescriptor: Bool) -> (
        bytes: [UInt8], descriptors: [Int32]
    )? {
        // The cheap test first: without an engine, a command pays one failed lstat.
        guard FileSystem.status(socketPath) != nil else { return nil }
        let deadline = UnixStreamSocket.now() + (kind == .reconcile ? reconcileTimeoutMilliseconds : timeoutMilliseconds) * 1_000_000
        guard let fd = UnixStreamSocket.connect(to: socketPath) else { return nil }
        defer { UnixStreamSocket.close(fd) }
        let count = Self.counter.add(1, ordering: .relaxed).newValue
        let token = EngineReadProtocol.cookieTokenPrefix + TransientFileNames.syncToken(pid: getpid(), counter: count)
        let cookie = DataDirectory(home: home).tasksRoot + "/" + TaskTreeNames.cookieFileName(token: token)
        guard (try? FileSystem.createEmptyFile(cookie)) != nil else { return nil }
        defer { unlink(cookie) }
        let request = EngineReadProtocol.Request(
            token: token, kind: kind, arguments: arguments, takesDescriptor: takesDescriptor,
            takesDescriptors: takesDescriptor && takesParts)
        let line = EngineReadProtocol.encode(request)
        guard takesDescriptor else {
            return UnixStreamSocket.exchange(fd, line: line, deadline: deadline, size: EngineReadProtocol.answerSize).map { ($0, []) }
        }
        return UnixStreamSocket.exchangeTakingDescriptors(fd, line: line, deadline: deadline, size: EngineReadProtocol.answerSize)
    }
}
