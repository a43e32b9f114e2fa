import Glibc
import OrangeCore
import Synchronization

/// Whole-file writes that readers never see half done: a temporary file in the same folder,
/// fsync, rename over the target, fsync of the folder. On any failure before the rename the
/// temporary file is removed and the target is left as it was; a failed fsync of the folder
/// after it is thrown too, although the new file is already in place (see `syncDirectory`).
public enum AtomicFile {
    private static let counter = Atomic<Int>(0)

    /// Replaces `path` with `text` (UTF-8); see `write(_:to:mode:)` for bytes.
    public static func write(_ text: String, to path: String, mode: mode_t = 0o600) throws(SystemError) {
        try write(Array(text.utf8), to: path, mode: mode)
    }

    /// Replaces `path` with `bytes` atomically: readers see the old file or the new one, never a
    /// part. A new file gets `mode`; an existing regular file keeps its own. Errors name `path`.
    public static func write(_ bytes: [UInt8], to path: String, mode: mode_t = 0o600) throws(SystemError) {
        try write(bytes, to: path, mode: mode, onlyIf: nil)
    }

    /// Like `write`, but `precondition` is asked right before the rename, once the new content is
    /// on disk: when it says no, nothing is replaced, the temporary file is removed and the
    /// result is false. A read-modify-write uses it to notice a writer that took no lock.
    @discardableResult
    public static func write(
        _ bytes: [UInt8], to path: String, mode: mode_t = 0o600, onlyIf precondition: (() -> Bool)?
    ) throws(SystemError) -> Bool {
        let (directory, name) = split(path)
        let n = counter.wrappingAdd(1, ordering: .relaxed).oldValue
        // A recognisable dot name: the watcher and the store ignore it, and a crash leaves
        // something obvious rather than a half-written TASK.md.
        let temporary = directory + "/" + TransientFileNames.temporary(for: name, pid: getpid(), counter: n)
        let finalMode = modeToKeep(path) ?? mode
        // Errors name the target, not the temporary file: that is the file the user asked about.
        let fd: Int32
        do throws(SystemError) {
            fd = try openFile(temporary, O_WRONLY | O_CREAT | O_EXCL, mode: finalMode)
        } catch {
            throw SystemError("write", path: path, errno: error.errno)
        }
        var open = true
        do throws(SystemError) {
            try writeAll(fd, bytes, path: path)
            // open() applied the umask; the file must end with exactly the mode asked for or kept.
            if fchmod(fd, finalMode) != 0 { throw SystemError.current("chmod", path: path) }
            try retryingInterrupts("fsync", path: path) { fsync(fd) }
            open = false
            // A failed close can report a delayed write error: the data may not be on disk.
            if close(fd) != 0 { throw SystemError.current("write", path: path) }
            if let precondition, !precondition() {
                unlink(temporary)
                return false
            }
            if rename(temporary, path) != 0 { throw SystemError.current("rename", path: path) }
        } catch {
            if open { closeDescriptor(fd) }
            unlink(temporary)
            throw error
        }
        try syncDirectory(directory, of: path)
        return true
    }

    /// The permission bits of the regular file at `path`, when there is one. A symlink's own
    /// mode (0777) is never copied: the rename replaces the link, not its target.
    private static func modeToKeep(_ path: String) -> mode_t? {
        guard let info = FileSystem.status(path), info.isRegularFile else { return nil }
        return mode_t(info.mode & 0o777)
    }

    /// Appends one line with a single `write` on an `O_APPEND` descriptor, so concurrent
    /// appenders never interleave within a line. `sync` adds an fsync for lines that must
    /// survive a crash (history); the log does without.
    public static func appendLine(_ line: String, to path: String, mode: mode_t = 0o600, sync: Bool = false) throws(SystemError) {
        let fd = try openFile(path, O_WRONLY | O_CREAT | O_APPEND, mode: mode)
        defer { closeDescriptor(fd) }
        try writeAll(fd, Array((line + "\n").utf8), path: path)
        if sync { try retryingInterrupts("fsync", path: path) { fsync(fd) } }
    }

    /// Replaces the contents of `path` in place and fsyncs it: for a scratch file whose reader
    /// can tell a torn copy (a journal), where a rename would cost a second name.
    public static func overwrite(_ text: String, to path: String, mode: mode_t = 0o600) throws(SystemError) {
        let fd = try openFile(path, O_WRONLY | O_CREAT | O_TRUNC, mode: mode)
        defer { closeDescriptor(fd) }
        try writeAll(fd, Array(text.utf8), path: path)
        try retryingInterrupts("fsync", path: path) { fsync(fd) }
    }

    public static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws(SystemError) {
        var offset = 0
        while offset < bytes.count {
            let written = try retryingInterrupts("write", path: path) {
                bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, $0.count - offset) }
            }
            offset += written
        }
    }

    /// Makes the rename of `path` durable. A folder that cannot be opened, or whose file system
    /// refuses fsync on folders (EINVAL), is skipped. Any other failure (EIO) is thrown: the new
    /// file is visible but may not survive a crash, so the caller must not report success. The
    /// error names the file, which is what the user asked about, and says it is the folder's sync.
    static func syncDirectory(_ directory: String, of path: String) throws(SystemError) {
        guard let fd = try? openFile(directory, O_RDONLY | O_DIRECTORY) else { return }
        defer { closeDescriptor(fd) }
        do throws(SystemError) {
            _ = try retryingInterrupts("fsync") { fsync(fd) }
        } catch  where error.errno == EINVAL {
            return
        } catch {
            throw SystemError("fsync the folder after writing", path: path, errno: error.errno)
        }
    }

    static func split(_ path: String) -> (directory: String, name: String) {
        guard let slash = path.lastIndex(of: "/") else { return (".", path) }
        let directory = String(path[..<slash])
        return (directory.isEmpty ? "/" : directory, String(path[path.index(after: slash)...]))
    }
}
