import Glibc
import OrangeCore
import OrangeSystem

/// Only one engine per `ORANGE_HOME`: an exclusive, non-blocking `flock` held for the life of
/// `orange watch`, with the holder's pid in the file so a second one can say who has it. The
/// kernel drops the lock when the holder dies, so a crash never leaves it stuck.
final class EngineLock {
    private let fd: Int32

    init(path: String) throws {
        try FileSystem.makeDirectories(FileSystem.parentDirectory(of: path))
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw SystemError.current("open", path: path) }
        // `orange watch sync` and the dashboard find out whether an engine runs by taking this
        // lock for an instant; an engine starting at that instant must not take the probe for a
        // running engine, so a held lock is retried for half a second before giving up.
        var acquired = flock(fd, LOCK_EX | LOCK_NB) == 0
        for _ in 0..<50 where !acquired {
            usleep(10_000)
            acquired = flock(fd, LOCK_EX | LOCK_NB) == 0
        }
        guard acquired else {
            let holder = (try? FileSystem.readText(path))?.trimmingSpaces() ?? ""
            close(fd)
            throw OrangeError("another orange engine is running for this ORANGE_HOME" + (holder.isEmpty ? "" : " (pid \(holder))") + "; it holds \(path)")
        }
        ftruncate(fd, 0)
        let pid = Array("\(getpid())\n".utf8)
        _ = pid.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
    }

    deinit {
        flock(fd, LOCK_UN)
        close(fd)
    }
}
