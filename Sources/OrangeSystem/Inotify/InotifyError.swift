import Glibc
import OrangeCore

/// Why an inotify call failed, with the kernel limits spelled out where a limit is the cause.
public enum InotifyError: Error, Hashable, Sendable, CustomStringConvertible {
    /// ENOSPC from `inotify_add_watch`: the per-user watch limit is used up.
    case watchLimitReached(path: String, limit: Int?)
    /// EMFILE: the per-user instance limit (or the process's descriptor limit) is used up.
    case instanceLimitReached(limit: Int?)
    /// ENOENT: the path does not exist (any more).
    case noSuchPath(String)
    /// ENOTDIR: the path is not a directory (watches are `IN_ONLYDIR`).
    case notADirectory(String)
    /// `inotify_init1` failed for another reason.
    case initFailed(errno: Int32)
    /// `inotify_add_watch` failed for another reason.
    case addWatchFailed(path: String, errno: Int32)
    /// `read` on the inotify descriptor failed with something other than EAGAIN (or an interrupt, retried).
    case readFailed(errno: Int32)
    /// The kernel returned bytes that do not decode as whole records (a bug, never expected).
    case malformedRecords(InotifyRecordDecoder.Failure)
    /// The instance was used after `close()`.
    case closed
    /// `poll` failed while waiting for events.
    case pollFailed(errno: Int32)
    /// A cookie could not be written into `tasks/`.
    case cookieFailed(path: String, errno: Int32)
    /// The sync cookie was not seen before the deadline.
    case syncTimedOut(token: String)

    public var description: String {
        switch self {
        case .watchLimitReached(let path, let limit):
            return "inotify watch limit reached (fs.inotify.max_user_watches = \(limit.map(String.init) ?? "unknown"))"
                + " while watching \(path)"
        case .instanceLimitReached(let limit):
            return "inotify instance limit reached (fs.inotify.max_user_instances = \(limit.map(String.init) ?? "unknown"))"
                + " or too many open files"
        case .noSuchPath(let path): return "cannot watch \(path): no such file or directory"
        case .notADirectory(let path): return "cannot watch \(path): not a directory"
        case .initFailed(let code): return "inotify_init1 failed: \(InotifyErrnoName.of(code))"
        case .addWatchFailed(let path, let code): return "inotify_add_watch \(path) failed: \(InotifyErrnoName.of(code))"
        case .readFailed(let code): return "read on the inotify descriptor failed: \(InotifyErrnoName.of(code))"
        case .malformedRecords(let failure): return "inotify returned malformed records: \(failure)"
        case .closed: return "the inotify instance is closed"
        case .pollFailed(let code): return "poll failed: \(InotifyErrnoName.of(code))"
        case .cookieFailed(let path, let code): return "cannot write sync cookie \(path): \(InotifyErrnoName.of(code))"
        case .syncTimedOut(let token): return "sync cookie \(token) not seen before the deadline"
        }
    }
}

/// Symbolic errno names for messages (`strerror` is not thread-safe, and names are greppable).
enum InotifyErrnoName {
    static func of(_ code: Int32) -> String {
        let known: [Int32: String] = [
            EPERM: "EPERM", ENOENT: "ENOENT", EINTR: "EINTR", EIO: "EIO", EBADF: "EBADF", EAGAIN: "EAGAIN",
            ENOMEM: "ENOMEM", EACCES: "EACCES", EFAULT: "EFAULT", EEXIST: "EEXIST", ENOTDIR: "ENOTDIR",
            EINVAL: "EINVAL", ENFILE: "ENFILE", EMFILE: "EMFILE", ENOSPC: "ENOSPC", ENAMETOOLONG: "ENAMETOOLONG",
            ELOOP: "ELOOP",
        ]
        return known[code].map { "\($0) (\(code))" } ?? "errno \(code)"
    }
}
