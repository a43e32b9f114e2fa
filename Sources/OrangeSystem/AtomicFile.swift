import Glibc
import OrangeCore
import Synchronization

/// Whole-file writes that readers never see half done: a temporary file in the same folder,
/// fsync, rename over the target, fsync of the folder. On any failure the temporary file is
/// removed and the target is left as it was.
public enum AtomicFile {
    private static let counter = Atomic<Int>(0)

    public static func write(_ text: String, to path: String, mode: mode_t = 0o600) throws(SystemError) {
        try write(Array(text.utf8), to: path, mode: mode)
    }

    public static func write(_ bytes: [UInt8], to path: String, mode: mode_t = 0o600) throws(SystemError) {
        let (directory, name) = split(path)
        let n = counter.wrappingAdd(1, ordering: .relaxed).oldValue
        // A recognisable dot name: the watcher ignores it, and a crash leaves something obvious.
        let temporary = "\(directory)/.\(name).orange-tmp-\(getpid())-\(n)"
        // Keep the mode of the file being replaced (a user may have chosen it).
        let finalMode = FileSystem.status(path).map { mode_t($0.mode) } ?? mode
        let fd = try retryingInterrupts("open", path: temporary) {
            open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, finalMode)
        }
        var closed = false
        do throws(SystemError) {
            try writeAll(fd, bytes, path: temporary)
            if fchmod(fd, finalMode) != 0 { throw SystemError.current("fchmod", path: temporary) }
            if fsync(fd) != 0 { throw SystemError.current("fsync", path: temporary) }
            closed = true
            if close(fd) != 0 { throw SystemError.current("close", path: temporary) }
            if rename(temporary, path) != 0 { throw SystemError.current("rename", path: path) }
        } catch {
            if !closed { close(fd) }
            unlink(temporary)
            throw error
        }
        syncDirectory(directory)
    }

    /// Appends one line with a single `write` on an `O_APPEND` descriptor, so concurrent
    /// appenders never interleave within a line.
    public static func appendLine(_ line: String, to path: String, mode: mode_t = 0o600) throws(SystemError) {
        let fd = try retryingInterrupts("open", path: path) { open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, mode) }
        defer { close(fd) }
        try writeAll(fd, Array((line + "\n").utf8), path: path)
    }

    static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws(SystemError) {
        var offset = 0
        while offset < bytes.count {
            let written = try retryingInterrupts("write", path: path) {
                bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, $0.count - offset) }
            }
            offset += written
        }
    }

    /// Makes the rename itself durable. Best effort: some file systems refuse fsync on folders.
    static func syncDirectory(_ directory: String) {
        let fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        fsync(fd)
        close(fd)
    }

    static func split(_ path: String) -> (directory: String, name: String) {
        guard let slash = path.lastIndex(of: "/") else { return (".", path) }
        let directory = String(path[..<slash])
        return (directory.isEmpty ? "/" : directory, String(path[path.index(after: slash)...]))
    }
}
