import Glibc
import OrangeCore

/// An exclusive `flock` on a lock file, held for the duration of a closure.
///
/// `flock` locks belong to the open file description, so two threads (or processes) with their
/// own descriptors exclude each other, and the kernel drops the lock if the holder dies: a crash
/// can never leave a stale lock behind.
public enum FileLock {
    public struct Timeout: Error, CustomStringConvertible {
        public var path: String
        public var seconds: Double
        public var description: String { "timed out after \(seconds)s waiting for the lock on \(path)" }
    }

    public static func withLock<T>(_ path: String, timeoutSeconds: Double = 30, _ body: () throws -> T) throws -> T {
        let fd = try retryingInterrupts("open", path: path) { open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600) }
        defer { close(fd) }
        try acquire(fd, path: path, timeoutSeconds: timeoutSeconds)
        defer { flock(fd, LOCK_UN) }
        return try body()
    }

    /// `LOCK_NB` retried with short, growing pauses until the deadline, so a waiting command
    /// never blocks forever behind a hung holder.
    static func acquire(_ fd: Int32, path: String, timeoutSeconds: Double) throws {
        let clock = SystemClock()
        let deadline = clock.monotonicNanoseconds() + UInt64(timeoutSeconds * 1e9)
        var pause: UInt32 = 200
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let code = errno
            if code == EINTR { continue }
            guard code == EWOULDBLOCK else { throw SystemError("flock", path: path, errno: code) }
            if clock.monotonicNanoseconds() >= deadline { throw Timeout(path: path, seconds: timeoutSeconds) }
            usleep(pause)
            pause = min(pause * 2, 20_000)
        }
    }
}
