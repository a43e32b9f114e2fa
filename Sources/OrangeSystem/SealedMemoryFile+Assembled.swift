import CLinux
import Glibc
import OrangeCore

extension SealedMemoryFile {
    /// A range of a sealed file's bytes.
    public struct Part: Sendable {
        public var file: SealedMemoryFile
        public var offset: Int
        public var count: Int

        public init(file: SealedMemoryFile, offset: Int, count: Int) {
            self.file = file
            self.offset = offset
            self.count = count
        }
    }

    /// A new sealed file holding `head`, the `parts` in order, then `tail`. The parts are copied
    /// by the kernel (`copy_file_range`, page to page), never read into this process; a kernel
    /// that refuses gets them read and written. Nil when no memory file can be made.
    public static func assembled(head: [UInt8], parts: [Part], tail: [UInt8], name: String) -> SealedMemoryFile? {
        let fd = orange_memfd_create(name, ORANGE_MFD_CLOEXEC | ORANGE_MFD_ALLOW_SEALING)
        guard fd >= 0 else { return nil }
        let total = head.count + parts.reduce(0) { $0 + $1.count } + tail.count
        let file = SealedMemoryFile(descriptor: fd, byteCount: total)
        guard writeAll(fd, head) else { return nil }
        for part in parts {
            guard copy(part, to: fd) else { return nil }
        }
        guard writeAll(fd, tail) else { return nil }
        let seals = ORANGE_F_SEAL_SEAL | ORANGE_F_SEAL_SHRINK | ORANGE_F_SEAL_GROW | ORANGE_F_SEAL_WRITE
        guard fcntl(fd, ORANGE_F_ADD_SEALS, seals) == 0 else { return nil }
        return file
    }

    private static func copy(_ part: Part, to fd: Int32) -> Bool {
        var from = Int64(part.offset)
        let end = Int64(part.offset + part.count)
        while from < end {
            let copied = orange_copy_file_range(part.file.descriptor, &from, fd, Int(end - from))
            if copied > 0 { continue }
            if copied < 0 && errno == EINTR { continue }
            if copied == 0 { return false }
            // Not copied by the kernel (an old kernel, another file system): read and written.
            guard let bytes = part.file.bytes() else { return false }
            return writeAll(fd, Array(bytes[Int(from)..<Int(end)]))
        }
        return true
    }

    private static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if written > 0 {
                offset += written
            } else if !(written < 0 && errno == EINTR) {
                return false
            }
        }
        return true
    }
}
