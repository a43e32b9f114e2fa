import Glibc
import OrangeCore
import Synchronization

/// An advisory `flock` on a lock file, held for the duration of a closure.
///
/// `flock` locks belong to the open file description, so two threads (or processes) with their
/// own descriptors exclude each other, and the kernel drops the lock when the holder dies: a crash
/// can never leave a stale lock behind (the original's mkdir-based lock could, for 10 s).
public enum FileLock {
    /// The lock could not be taken before the deadline.
    public struct Timeout: Error, Sendable, CustomStringConvertible {
        public var path: String
        public var seconds: Double
        public init(path: String, seconds: Double) {
            self.path = path
            self.seconds = seconds
        }
        public var description: String {
            "timed out after \(FileLock.format(seconds: seconds))s waiting for the lock on \(path)"
        }
    }

    /// Runs `body` holding an exclusive lock on `path` (created 0600 if missing), waiting at most
    /// `timeoutSeconds`. The lock is released however `body` ends.
    public static func withLock<T>(_ path: String, timeoutSeconds: Double = 30, _ body: () throws -> T) throws -> T {
        try withLock(path, operation: LOCK_EX, timeoutSeconds: timeoutSeconds, body)
    }

    /// Runs `body` holding a shared lock on `path`: many readers at once, never with a writer.
    public static func withSharedLock<T>(_ path: String, timeoutSeconds: Double = 30, _ body: () throws -> T) throws -> T {
        try withLock(path, operation: LOCK_SH, timeoutSeconds: timeoutSeconds, body)
    }

    private static func withLock<T>(_ path: String, operation: Int32, timeoutSeconds: Double, _ body: () throws -> T) throws -> T {
        let deadline = SystemClock().monotonicNanoseconds() + UInt64(max(0, timeoutSeconds) * 1e9)
        while true {
            let fd = try openFile(path, O_RDWR | O_CREAT, mode: 0o600)
            // Closing the descriptor releases the lock too; the explicit unlock only makes the order plain.
            defer { closeDescriptor(fd) }
            try acquire(fd, operation: operation, path: path, deadline: deadline, timeoutSeconds: timeoutSeconds)
            defer { flock(fd, LOCK_UN) }
            // The holder we waited for may have removed or replaced the lock file (a deleted task
            // folder is renamed away with its `.lock`). A lock on a file no longer at `path`
            // excludes nobody who opens `path` now, so start again on the current file.
            guard isStillAt(path, fd) else {
                if SystemClock().monotonicNanoseconds() >= deadline { throw Timeout(path: path, seconds: timeoutSeconds) }
                continue
            }
            return try body()
        }
    }

    private static func isStillAt(_ path: String, _ fd: Int32) -> Bool {
        var opened = stat()
        var current = stat()
        guard fstat(fd, &opened) == 0, stat(path, &current) == 0 else { return false }
        return opened.st_dev == current.st_dev && opened.st_ino == current.st_ino
    }

    /// `LOCK_NB` retried with short, growing pauses until a monotonic deadline, so a waiting
    /// command never blocks forever behind a hung holder and a clock change cannot stretch the wait.
    static func acquire(_ fd: Int32, operation: Int32, path: String, deadline: UInt64, timeoutSeconds: Double) throws {
        let clock = SystemClock()
        var pauseMicroseconds: UInt32 = 200
        var waiting: UInt64?
        defer { if let waiting { _ = Self.waits.withLock { $0.entries.removeValue(forKey: waiting) } } }
        while case .failure(let error) = valueOrErrno({ flock(fd, operation | LOCK_NB) }) {
            if waiting == nil {
                let since = clock.monotonicNanoseconds()
                waiting = Self.waits.withLock { waits in
                    waits.next += 1
                    waits.entries[waits.next] = (path, since)
                    return waits.next
                }
            }
            guard error.code == EWOULDBLOCK else { throw SystemError("flock", path: path, errno: error.code) }
            let now = clock.monotonicNanoseconds()
            if now >= deadline { throw Timeout(path: path, seconds: timeoutSeconds) }
            let remaining = UInt32(min(UInt64(UInt32.max), (deadline - now) / 1000))
            usleep(min(pauseMicroseconds, max(remaining, 1)))
            pauseMicroseconds = min(pauseMicroseconds * 2, 20_000)
        }
    }

    /// The locks this process waits for now, by wait: the engine says them when a `watch sync`
    /// waits long (a lock a hung process holds).
    private static let waits = Mutex(LockWaits())

    private struct LockWaits {
        var next: UInt64 = 0
        var entries: [UInt64: (path: String, since: UInt64)] = [:]
    }

    /// The lock files this process waits for now, with how many seconds each wait has lasted.
    public static func waitingFor() -> [(path: String, seconds: Double)] {
        let now = SystemClock().monotonicNanoseconds()
        return waits.withLock { $0.entries.values.sorted { $0.since < $1.since } }.map { ($0.path, Double(now &- $0.since) / 1e9) }
    }

    /// Whether some process holds a lock on `path` right now. Probes with a shared lock taken and
    /// dropped at once, and never creates the file (a missing lock file is held by nobody).
    public static func isHeld(_ path: String) -> Bool {
        guard let fd = try? openFile(path, O_RDONLY) else { return false }
        defer { closeDescriptor(fd) }
        if case .failure(let error) = valueOrErrno({ flock(fd, LOCK_SH | LOCK_NB) }) { return error.code == EWOULDBLOCK }
        flock(fd, LOCK_UN)
        return false
    }

    /// `2`, `0.5`: whole numbers without a trailing `.0`.
    static func format(seconds: Double) -> String {
        seconds == seconds.rounded() && abs(seconds) < 1e15 ? String(Int64(seconds)) : String(seconds)
    }
}
