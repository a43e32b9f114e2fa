import CLinux
import Glibc
import OrangeCore

/// Bytes held in an anonymous memory file (`memfd_create`), sealed so nobody can change them,
/// whose descriptor can be passed to other processes (the engine's `--json` list).
///
/// The pages are shared memory (tmpfs), not the process's heap: a kept answer of 32 MB does not
/// count in the engine's heap or its VmRSS (it is not mapped), and a reader can `sendfile` them
/// to its stdout without copying them into its own memory (docs/decisions.md).
public final class SealedMemoryFile: PreparedOutput {
    public let descriptor: Int32
    public let byteCount: Int

    /// Owns `descriptor` (closed on deinit); `byteCount` bytes of it from offset 0 are the content.
    public init(descriptor: Int32, byteCount: Int) {
        self.descriptor = descriptor
        self.byteCount = byteCount
    }

    /// A new sealed file holding `bytes`; nil when memory files are not available (old kernel,
    /// no descriptors left), so the caller sends the bytes themselves.
    public static func holding(_ bytes: [UInt8], name: String) -> SealedMemoryFile? {
        let fd = orange_memfd_create(name, ORANGE_MFD_CLOEXEC | ORANGE_MFD_ALLOW_SEALING)
        guard fd >= 0 else { return nil }
        let file = SealedMemoryFile(descriptor: fd, byteCount: bytes.count)
        guard (try? AtomicFile.writeAll(fd, bytes, path: "memfd:" + name)) != nil else { return nil }
        let seals = ORANGE_F_SEAL_SEAL | ORANGE_F_SEAL_SHRINK | ORANGE_F_SEAL_GROW | ORANGE_F_SEAL_WRITE
        guard fcntl(fd, ORANGE_F_ADD_SEALS, seals) == 0 else { return nil }
        return file
    }

    /// A descriptor received from another process (owned from now on), if it is a file sealed
    /// against writes and shrinking that holds at least `byteCount` bytes: what it says cannot
    /// change while it is printed. Nil otherwise, the descriptor closed.
    public static func received(_ fd: Int32, byteCount: Int) -> SealedMemoryFile? {
        let file = SealedMemoryFile(descriptor: fd, byteCount: byteCount)
        let required = ORANGE_F_SEAL_SHRINK | ORANGE_F_SEAL_WRITE
        var status = stat()
        guard byteCount >= 0, fstat(fd, &status) == 0, status.st_mode & S_IFMT == S_IFREG, Int(status.st_size) >= byteCount,
            case let seals = fcntl(fd, ORANGE_F_GET_SEALS), seals >= 0, seals & required == required
        else { return nil }
        return file
    }

    public func bytes() -> [UInt8]? {
        var bytes = [UInt8](repeating: 0, count: byteCount)
        var offset = 0
        while offset < byteCount {
            let count = bytes.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress! + offset, $0.count - offset, off_t(offset)) }
            if count > 0 {
                offset += count
            } else if !(count < 0 && errno == EINTR) {
                return nil
            }
        }
        return bytes
    }

    deinit { closeDescriptor(descriptor) }
}
