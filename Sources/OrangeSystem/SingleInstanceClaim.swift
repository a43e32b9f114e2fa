import Dispatch
import Glibc
import OrangeCore
import Synchronization

/// A claim on a few names that one process at a time can hold: each name is a listening Unix
/// socket in Linux's abstract namespace.
///
/// Unlike a lock file, an abstract socket has no path: nothing on disk can delete it, so
/// nothing can let a second holder in while the first runs. `bind` succeeds for exactly one
/// socket per name, and the kernel frees the name when the holder dies, however it dies. The
/// scope is the network namespace (one machine, outside containers with their own network).
///
/// Probing never takes the claim: `holder(of:)` connects, which a holder answers by existing,
/// and reads the holder's pid from the connection (`SO_PEERCRED`). A background thread accepts
/// and closes those connections, so probes never pile up in the listen queue.
public final class SingleInstanceClaim: Sendable {
    /// Another process holds one of the names.
    public struct Held: Error, Sendable, Equatable {
        public var name: String
        /// The holder's pid; nil when the kernel cannot say (another pid namespace, or its
        /// listen queue was full at that instant).
        public var pid: Int32?

        public init(name: String, pid: Int32?) {
            self.name = name
            self.pid = pid
        }
    }

    /// The names, in the order they were claimed.
    public let names: [String]
    /// This process's pid: the one a probe of these names reports.
    public let pid: Int32
    private let acceptor: Acceptor

    /// Claims every name, or none: a name held elsewhere releases the ones already taken and
    /// throws `Held`. Never waits.
    public init(names: [String]) throws {
        var sockets: [Int32] = []
        do {
            for name in names { sockets.append(try Self.listen(on: name)) }
        } catch {
            sockets.forEach(closeDescriptor)
            throw error
        }
        self.names = names
        pid = getpid()
        acceptor = Acceptor(sockets: sockets, wakeName: names.first)
    }

    deinit { acceptor.stop() }

    /// Who holds any of `names` right now (the first one held), or nil when nobody does.
    public static func holder(of names: [String]) throws(SystemError) -> Held? {
        for name in names {
            if let held = try probe(name) { return held }
        }
        return nil
    }

    // MARK: - Sockets

    private static func listen(on name: String) throws -> Int32 {
        let fd = try newSocket()
        var address = try AbstractAddress(name)
        if case .failure(let error) = valueOrErrno({ address.withPointer { bind(fd, $0, $1) } }) {
            closeDescriptor(fd)
            guard error.code == EADDRINUSE else { throw SystemError("bind", path: "@" + name, errno: error.code) }
            throw Held(name: name, pid: (try? probe(name))?.pid)
        }
        do {
            try retryingInterrupts("listen", path: "@" + name) { Glibc.listen(fd, 64) }
        } catch {
            closeDescriptor(fd)
            throw error
        }
        return fd
    }

    /// Connects to `name`: refused means nobody listens; connected (or a full queue) means
    /// someone does, and the connection names its pid.
    private static func probe(_ name: String) throws(SystemError) -> Held? {
        let fd = try newSocket()
        defer { closeDescriptor(fd) }
        var address = try AbstractAddress(name)
        // An interrupted connect goes on in the kernel: the retry then reports EISCONN.
        if case .failure(let error) = valueOrErrno({ address.withPointer { connect(fd, $0, $1) } }), error.code != EISCONN {
            if error.code == ECONNREFUSED || error.code == ENOENT { return nil }
            // The holder's queue is full for an instant: it exists, its pid is unknown.
            if error.code == EAGAIN { return Held(name: name, pid: nil) }
            throw SystemError("connect", path: "@" + name, errno: error.code)
        }
        return Held(name: name, pid: peerPID(fd))
    }

    /// `SO_PEERCRED`: the credentials the listening holder had when it called `listen`.
    private static func peerPID(_ fd: Int32) -> Int32? {
        // struct ucred { pid_t pid; uid_t uid; gid_t gid; }, which Glibc does not export to Swift.
        var credentials: (pid: Int32, uid: UInt32, gid: UInt32) = (0, 0, 0)
        var size = socklen_t(MemoryLayout.size(ofValue: credentials))
        guard getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &credentials, &size) == 0, credentials.pid > 0 else { return nil }
        return credentials.pid
    }

    /// Close-on-exec, so no agent, git or tmux server orange starts inherits a claim (a tmux
    /// server outliving the engine would otherwise hold it for good); non-blocking, so neither a
    /// probe nor the acceptor ever waits.
    static func newSocket() throws(SystemError) -> Int32 {
        let type = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue)
        return try retryingInterrupts("socket") { socket(AF_UNIX, type, 0) }
    }

    /// A `sockaddr_un` whose path starts with a NUL byte: a name in the abstract namespace. Its
    /// length is exact (no trailing NULs), as the kernel compares every byte of it.
    struct AbstractAddress {
        private var storage = sockaddr_un()
        private let length: socklen_t

        init(_ name: String) throws(SystemError) {
            let bytes = Array(name.utf8)
            let capacity = MemoryLayout.size(ofValue: storage.sun_path)
            guard !bytes.isEmpty, bytes.count < capacity, !bytes.contains(0) else {
                throw SystemError("bind", path: "@" + name, errno: ENAMETOOLONG)
            }
            storage.sun_family = sa_family_t(AF_UNIX)
            withUnsafeMutableBytes(of: &storage.sun_path) { path in
                path[0] = 0
                for (index, byte) in bytes.enumerated() { path[index + 1] = byte }
            }
            length = socklen_t(MemoryLayout<sockaddr_un>.offset(of: \.sun_path)! + 1 + bytes.count)
        }

        mutating func withPointer<T>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> T) -> T {
            let length = self.length
            return withUnsafePointer(to: &storage) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, length) }
            }
        }
    }
}

/// Accepts and closes every probe's connection until stopped, then closes the sockets. Kept
/// apart from the claim so its thread does not keep the claim alive.
private final class Acceptor: Sendable {
    private let sockets: [Int32]
    private let wakeName: String?
    private let stopping = Atomic<Bool>(false)
    private let finished = DispatchSemaphore(value: 0)

    init(sockets: [Int32], wakeName: String?) {
        self.sockets = sockets
        self.wakeName = wakeName
        guard !sockets.isEmpty else {
            finished.signal()
            return
        }
        DispatchQueue(label: "orange.single-instance-claim").async { [self] in
            run()
            finished.signal()
        }
    }

    private func run() {
        var pollFDs = sockets.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
        while !stopping.load(ordering: .acquiring) {
            // The timeout is only a backstop: `stop` wakes the poll by connecting.
            guard poll(&pollFDs, nfds_t(pollFDs.count), 1000) > 0 else { continue }
            for entry in pollFDs where entry.revents != 0 {
                // Until EAGAIN: the queue is empty.
                while case .success(let connection) = acceptConnection(entry.fd) { closeDescriptor(connection) }
            }
        }
    }

    /// Ends the thread, then closes the sockets: a descriptor closed while the thread may still
    /// poll it could be reused for another file by then.
    func stop() {
        stopping.store(true, ordering: .releasing)
        if let wakeName { _ = try? SingleInstanceClaim.holder(of: [wakeName]) }
        finished.wait()
        sockets.forEach(closeDescriptor)
    }
}
