import CLinux
import Glibc
import OrangeCore

extension StandardStreams {
    /// Prints `output` on stdout. A sealed memory file (the engine's answer) goes with
    /// `sendfile(2)`: into a pipe its pages are passed, not copied, and into a file the kernel
    /// copies them; neither passes through this process. A terminal, or a kernel that refuses,
    /// gets the bytes with `write(2)`.
    public static func writeOutput(_ output: any PreparedOutput) {
        if let file = output as? SealedMemoryFile, !isOutputTerminal, send(file, to: 1) { return }
        if let parts = output as? SealedFileParts, !isOutputTerminal, send(parts, to: 1) { return }
        guard let bytes = output.bytes() else { return }
        bytes.withUnsafeBytes { writeAll(1, $0) }
    }

    /// Sends all of `file` to `fd`; false when `sendfile` cannot start (nothing written yet), so
    /// the caller writes the bytes instead. A failure half way (a reader gone) ends the output.
    static func send(_ file: SealedMemoryFile, to fd: Int32) -> Bool {
        widenPipe(fd, toHold: file.byteCount)
        return send(file, from: 0, count: file.byteCount, to: fd)
    }

    /// Sends every part of `parts` to `fd` in order: a file part the kernel refuses to
    /// `sendfile` (nothing of it sent) is read and written instead.
    static func send(_ parts: SealedFileParts, to fd: Int32) -> Bool {
        widenPipe(fd, toHold: parts.byteCount)
        for part in parts.parts {
            switch part {
            case .bytes(let bytes):
                bytes.withUnsafeBytes { writeAll(fd, $0) }
            case .file(let file, let offset, let count):
                if send(file, from: offset, count: count, to: fd) { continue }
                guard let whole = file.bytes(), offset + count <= whole.count else { return true }
                whole[offset..<offset + count].withUnsafeBytes { writeAll(fd, $0) }
            }
        }
        return true
    }

    /// Sends `count` bytes of `file` from `start` to `fd`; false when `sendfile` cannot start
    /// (nothing written yet). A failure half way (a reader gone) ends the output.
    static func send(_ file: SealedMemoryFile, from start: Int, count: Int, to fd: Int32) -> Bool {
        var offset = off_t(start)
        let end = start + count
        while Int(offset) < end {
            let sent = sendfile(fd, file.descriptor, &offset, end - Int(offset))
            if sent > 0 { continue }
            if sent < 0 && errno == EINTR { continue }
            if sent < 0 && errno == EAGAIN {
                var entry = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                _ = poll(&entry, 1, -1)
                continue
            }
            return Int(offset) > start || sent == 0
        }
        return true
    }

    /// A pipe holds 64 KB by default: 32 MB through it is 500 turns of writer and reader. Grown
    /// up to what an unprivileged process may ask (`/proc/sys/fs/pipe-max-size`, 1 MB by
    /// default) when more is to come; a refusal leaves it as it was.
    static func widenPipe(_ fd: Int32, toHold count: Int) {
        var status = stat()
        guard count > 64 << 10, fstat(fd, &status) == 0, status.st_mode & S_IFMT == S_IFIFO else { return }
        let current = fcntl(fd, ORANGE_F_GETPIPE_SZ)
        guard current >= 0, current < count else { return }
        _ = fcntl(fd, ORANGE_F_SETPIPE_SZ, Int32(min(count, 1 << 20)))
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
