import CLinux
import Glibc
import OrangeCore

/// Unix stream sockets at a path, for one-line requests and one-line answers between processes
/// of the same user (the engine's read server and the commands that ask it).
///
/// Every socket is close-on-exec and non-blocking; every wait is a `poll(2)` with a deadline, so
/// a peer that stops answering costs its caller the timeout, never a hang. Both sides check the
/// other's uid (`SO_PEERCRED`): the socket sits in a 0700 folder with mode 0600, and the check is
/// the second door, for a folder whose permissions someone widened.
public enum UnixStreamSocket {
    /// Binds and listens at `path`, replacing a socket file left by a dead process (the caller
    /// must be the only one serving there: the engine holds the home's single-instance claim).
    public static func listen(at path: String) throws(SystemError) -> Int32 {
        var address = try PathAddress(path)
        var existing = stat()
        if lstat(path, &existing) == 0 && existing.st_mode & S_IFMT == S_IFSOCK { unlink(path) }
        let fd = try newSocket()
        do {
            try retryingInterrupts("bind", path: path) { address.withPointer { bind(fd, $0, $1) } }
            // bind creates the file with the process's umask: narrow it before anyone connects.
            try retryingInterrupts("chmod", path: path) { chmod(path, 0o600) }
            try retryingInterrupts("listen", path: path) { Glibc.listen(fd, 128) }
        } catch {
            closeDescriptor(fd)
            throw error
        }
        return fd
    }

    /// Connects to `path`; nil when nobody listens there (no file, refused, a full queue) or the
    /// listener runs as another user.
    public static func connect(to path: String) -> Int32? {
        guard var address = try? PathAddress(path), let fd = try? newSocket() else { return nil }
        while address.withPointer({ Glibc.connect(fd, $0, $1) }) != 0 {
            if errno == EINTR { continue }
            closeDescriptor(fd)
            return nil
        }
        guard peerUID(fd) == geteuid() else {
            closeDescriptor(fd)
            return nil
        }
        return fd
    }

    /// The next connection on a listening socket whose peer runs as this user; connections from
    /// other users are closed unanswered. Nil when none is waiting.
    public static func acceptSameUser(_ listener: Int32) -> Int32? {
        while true {
            // accept4 (SOCK_CLOEXEC) is invisible to Swift: the flag is set at once, and
            // ProcessRunner closes any descriptor without FD_CLOEXEC in its children anyway.
            let fd = accept(listener, nil, nil)
            if fd < 0 {
                if errno == EINTR { continue }
                return nil
            }
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            if peerUID(fd) == geteuid() { return fd }
            closeDescriptor(fd)
        }
    }

    /// Writes `line` and a newline, then reads everything the peer sends until it closes; nil
    /// on any failure or when `deadline` (monotonic ns) passes first. `size`, given the first
    /// line of the answer, says how long the whole answer will be, when it can: room for it is
    /// made at once instead of growing the buffer copy by copy (a list is megabytes). A
    /// descriptor the peer passes is closed (see `exchangeTakingDescriptors`).
    public static func exchange(
        _ fd: Int32, line: String, deadline: UInt64, limit: Int = 1 << 30, size: ([UInt8]) -> Int? = { _ in nil }
    ) -> [UInt8]? {
        guard let (bytes, descriptors) = exchangeTakingDescriptors(fd, line: line, deadline: deadline, limit: limit, size: size)
        else { return nil }
        descriptors.forEach(closeDescriptor)
        return bytes
    }

    /// The most descriptors one message carries (the kernel's `SCM_MAX_FD`).
    public static let mostDescriptors = Int(ORANGE_MOST_DESCRIPTORS)

    /// `exchange`, also receiving the descriptors the peer passes with its bytes (`SCM_RIGHTS`,
    /// close-on-exec, at most `ORANGE_MOST_DESCRIPTORS`), which the caller then owns.
    public static func exchangeTakingDescriptors(
        _ fd: Int32, line: String, deadline: UInt64, limit: Int = 1 << 30, size: ([UInt8]) -> Int? = { _ in nil }
    ) -> (bytes: [UInt8], descriptors: [Int32])? {
        guard writeLine(fd, line, deadline: deadline) else { return nil }
        var bytes: [UInt8] = []
        var sized = false
        let room = Int(ORANGE_MOST_DESCRIPTORS)
        var descriptors = [Int32](repeating: -1, count: room)
        var received = 0
        var chunk = [UInt8](repeating: 0, count: 1 << 18)
        func fail() -> (bytes: [UInt8], descriptors: [Int32])? {
            descriptors[0..<received].forEach(closeDescriptor)
            return nil
        }
        while true {
            let count = chunk.withUnsafeMutableBytes { buffer in
                descriptors.withUnsafeMutableBufferPointer {
                    orange_receive_with_descriptors(fd, buffer.baseAddress, buffer.count, $0.baseAddress, room, &received)
                }
            }
            if count > 0 {
                chunk.withUnsafeBufferPointer { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: $0[0..<count])) }
                if bytes.count > limit { return fail() }
                if !sized, let newline = bytes.firstIndex(of: 10) {
                    sized = true
                    if let total = size(Array(bytes[..<newline])), total <= limit { bytes.reserveCapacity(total) }
                }
            } else if count == 0 {
                return (bytes, Array(descriptors[0..<received]))
            } else if errno == EINTR {
                continue
            } else if errno != EAGAIN || !waitFor(fd, Int16(POLLIN), until: deadline) {
                return fail()
            }
        }
    }

    /// Reads up to the first newline (excluded); nil on end of file, error, more than `limit`
    /// bytes or the deadline.
    public static func readLine(_ fd: Int32, deadline: UInt64, limit: Int = 64 << 20) -> String? {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count > 0 {
                let part = chunk[0..<count]
                if let newline = part.firstIndex(of: 10) {
                    bytes += part[..<newline]
                    return String(validating: bytes, as: UTF8.self)
                }
                bytes += part
                if bytes.count > limit { return nil }
            } else if count == 0 {
                return nil
            } else if errno == EINTR {
                continue
            } else if errno != EAGAIN || !waitFor(fd, Int16(POLLIN), until: deadline) {
                return nil
            }
        }
    }

    /// Writes all of `line` and a newline; false on error or when `deadline` passes first.
    public static func writeLine(_ fd: Int32, _ line: String, deadline: UInt64) -> Bool {
        var bytes = Array(line.utf8)
        bytes.append(10)
        return writeAll(fd, bytes, deadline: deadline)
    }

    /// Writes all of `bytes` with `descriptor` passed along with the first of them
    /// (`SCM_RIGHTS`); false on error or when `deadline` passes first.
    public static func writeAll(_ fd: Int32, _ bytes: [UInt8], passing descriptor: Int32, deadline: UInt64) -> Bool {
        guard !bytes.isEmpty else { return false }
        return writeAll(fd, bytes, passing: [descriptor], deadline: deadline)
    }

    /// Writes all of `bytes` with `descriptors` (at most `ORANGE_MOST_DESCRIPTORS`) passed along
    /// with the first of them; false on error or when `deadline` passes first.
    public static func writeAll(_ fd: Int32, _ bytes: [UInt8], passing descriptors: [Int32], deadline: UInt64) -> Bool {
        guard !descriptors.isEmpty else { return writeAll(fd, bytes, deadline: deadline) }
        guard !bytes.isEmpty, descriptors.count <= Int(ORANGE_MOST_DESCRIPTORS) else { return false }
        while true {
            let count = bytes.withUnsafeBytes { buffer in
                descriptors.withUnsafeBufferPointer {
                    orange_send_with_descriptors(fd, buffer.baseAddress, buffer.count, $0.baseAddress, $0.count)
                }
            }
            if count > 0 { return writeAll(fd, Array(bytes[count...]), deadline: deadline) }
            if count < 0 && errno == EINTR { continue }
            if count == 0 || errno != EAGAIN || !waitFor(fd, Int16(POLLOUT), until: deadline) { return false }
        }
    }

    /// Writes all of `bytes`; false on error or when `deadline` passes first.
    public static func writeAll(_ fd: Int32, _ bytes: [UInt8], deadline: UInt64) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let count = bytes.withUnsafeBytes { send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            if count >= 0 {
                offset += count
            } else if errno == EINTR {
                continue
            } else if errno != EAGAIN || !waitFor(fd, Int16(POLLOUT), until: deadline) {
                return false
            }
        }
        return true
    }

    public static func close(_ fd: Int32) { closeDescriptor(fd) }

    /// Monotonic nanoseconds, the clock of every deadline here.
    public static func now() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
    }

    /// Polls one descriptor for `events`; false once the deadline passed.
    static func waitFor(_ fd: Int32, _ events: Int16, until deadline: UInt64) -> Bool {
        while true {
            let current = now()
            guard current < deadline else { return false }
            var entry = pollfd(fd: fd, events: events, revents: 0)
            let milliseconds = Int32(min((deadline - current + 999_999) / 1_000_000, 60_000))
            let ready = poll(&entry, 1, milliseconds)
            if ready > 0 { return true }
            if ready < 0 && errno != EINTR { return false }
        }
    }

    /// `SO_PEERCRED`: the uid the peer had when it connected or listened.
    static func peerUID(_ fd: Int32) -> uid_t? {
        // struct ucred { pid_t pid; uid_t uid; gid_t gid; }, which Glibc does not export to Swift.
        var credentials: (pid: Int32, uid: UInt32, gid: UInt32) = (0, 0, 0)
        var size = socklen_t(MemoryLayout.size(ofValue: credentials))
        guard getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &credentials, &size) == 0 else { return nil }
        return credentials.uid
    }

    private static func newSocket() throws(SystemError) -> Int32 {
        let type = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue)
        return try retryingInterrupts("socket") { socket(AF_UNIX, type, 0) }
    }

    /// A `sockaddr_un` naming a file; a path longer than `sun_path` (107 bytes) cannot be one.
    struct PathAddress {
        private var storage = sockaddr_un()

        init(_ path: String) throws(SystemError) {
            let bytes = Array(path.utf8)
            guard !bytes.isEmpty, bytes.count < MemoryLayout.size(ofValue: storage.sun_path), !bytes.contains(0) else {
                throw SystemError("bind", path: path, errno: ENAMETOOLONG)
            }
            storage.sun_family = sa_family_t(AF_UNIX)
            withUnsafeMutableBytes(of: &storage.sun_path) { target in
                for (index, byte) in bytes.enumerated() { target[index] = byte }
            }
        }

        mutating func withPointer<T>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> T) -> T {
            withUnsafePointer(to: &storage) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
            }
        }
    }
}
