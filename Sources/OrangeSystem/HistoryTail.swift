import Glibc
import OrangeCore

/// The status a task's `history.jsonl` last recorded, read from the file's end.
///
/// `[HistoryEvent].lastRecordedStatus` is settled by the last line that names a status; reading
/// and parsing the whole history for it, for every task whose TASK.md is newer than its history,
/// was a quarter of the start-up catch-up at 100,000 tasks (docs/performance.md, section 5). Here
/// whole lines are taken from the end, a few KB at a time, and parsed as `history(of:)` parses
/// them until one settles the status; the answer is the one of the whole read
/// (`HistoryTailTests`).
enum HistoryTail {
    /// The status, `pending` when there is no history (as for an empty one); nil when the file
    /// cannot be opened or read (where `history(of:)` throws).
    static func lastRecordedStatus(_ path: String, in folder: Int32, firstRead: Int = 4096) -> TaskStatus? {
        let fd = openat(folder, path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return errno == ENOENT ? .pending : nil }
        defer { closeDescriptor(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { return nil }
        return lastRecordedStatus(fd, size: Int(info.st_size), firstRead: firstRead)
    }

    /// Reads `[0, size)` of `fd` backwards: each read takes twice the bytes of the one before,
    /// so a long history with no status line near its end is still read in linear time.
    static func lastRecordedStatus(_ fd: Int32, size: Int, firstRead: Int) -> TaskStatus? {
        let lineBreak = UInt8(ascii: "\n")
        // The bytes from `position` up to the last line break not yet handled: their first line
        // may have started before `position`.
        var unsplit: [UInt8] = []
        var position = size
        var readSize = max(1, firstRead)
        while position > 0 {
            let start = max(0, position - readSize)
            guard var piece = read(fd, from: start, count: position - start) else { return nil }
            piece.append(contentsOf: unsplit)
            unsplit = piece
            position = start
            readSize *= 2
            while let last = unsplit.lastIndex(of: lineBreak) {
                // `split` on the whole file skips empty lines; so does `jsonLine`'s nil.
                if let status = HistoryEvent(jsonLine: unsplit[(last + 1)...])?.recordedStatus { return status }
                unsplit.removeSubrange(last...)
            }
        }
        // The file's first line.
        return HistoryEvent(jsonLine: unsplit[...])?.recordedStatus ?? .pending
    }

    private static func read(_ fd: Int32, from offset: Int, count: Int) -> [UInt8]? {
        var bytes = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let n = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + done, count - done, off_t(offset + done)) }
            if n < 0 && errno == EINTR { continue }
            // A file cut short meanwhile, or an error: not this reader's to decide.
            guard n > 0 else { return nil }
            done += n
        }
        return bytes
    }
}
