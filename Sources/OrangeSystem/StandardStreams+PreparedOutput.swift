import Glibc
import OrangeCore

extension StandardStreams {
    /// Prints `output` on stdout. A sealed memory file (the engine's answer) goes with
    /// `sendfile(2)`: into a pipe its pages are passed, not copied, and into a file the kernel
    /// copies them; neither passes through this process. A terminal, or a kernel that refuses,
    /// gets the bytes with `write(2)`.
    public static func writeOutput(_ output: any PreparedOutput) {
        if let file = output as? SealedMemoryFile, !isOutputTerminal, send(file, to: 1) { return }
        guard let bytes = output.bytes() else { return }
        bytes.withUnsafeBytes { writeAll(1, $0) }
    }

    /// Sends all of `file` to `fd`; false when `sendfile` cannot start (nothing written yet), so
    /// the caller writes the bytes instead. A failure half way (a reader gone) ends the output.
    static func send(_ file: SealedMemoryFile, to fd: Int32) -> Bool {
        var offset = off_t(0)
        while Int(offset) < file.byteCount {
            let sent = sendfile(fd, file.descriptor, &offset, file.byteCount - Int(offset))
            if sent > 0 { continue }
            if sent < 0 && errno == EINTR { continue }
            if sent < 0 && errno == EAGAIN {
                var entry = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                _ = poll(&entry, 1, -1)
                continue
            }
            return offset > 0 || sent == 0
        }
        return true
    }

    static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) {
        var offset = 0
        while offset < bytes.count {
            let written = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if written > 0 {
                offset += written
            } else if written < 0 && errno == EINTR {
                continue
            } else {
                return
            }
        }
    }
}
