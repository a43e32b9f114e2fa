import Glibc

/// Reads the small `/proc` files that describe inotify limits and a descriptor's watches.
enum InotifyProcFS {
    /// The watch limit in effect, for the ENOSPC message: `fs.inotify.max_user_watches`, or the
    /// user namespace's `user.max_inotify_watches` when that one is lower (inside a container).
    static var maxUserWatches: Int? {
        lowest(readInteger("/proc/sys/fs/inotify/max_user_watches"), readInteger("/proc/sys/user/max_inotify_watches"))
    }
    /// The instance limit in effect, for the EMFILE message (same two sources).
    static var maxUserInstances: Int? {
        lowest(
            readInteger("/proc/sys/fs/inotify/max_user_instances"), readInteger("/proc/sys/user/max_inotify_instances"))
    }

    private static func lowest(_ a: Int?, _ b: Int?) -> Int? {
        switch (a, b) {
        case let (x?, y?): return min(x, y)
        default: return a ?? b
        }
    }
    /// `fs.inotify.max_queued_events`: how many events fit before `IN_Q_OVERFLOW`.
    static var maxQueuedEvents: Int? { readInteger("/proc/sys/fs/inotify/max_queued_events") }

    /// Number of `inotify wd:` lines in `/proc/self/fdinfo/<fd>`: the watches the kernel holds.
    static func kernelWatchCount(fd: Int32) -> Int? {
        guard let text = readFile("/proc/self/fdinfo/\(fd)") else { return nil }
        return text.split(separator: "\n").count { $0.hasPrefix("inotify wd:") }
    }

    static func readInteger(_ path: String) -> Int? {
        guard let text = readFile(path) else { return nil }
        return Int(text.trimmingSpaces())
    }

    /// Whole-file read with plain syscalls; `/proc` files report size 0, so read until EOF.
    static func readFile(_ path: String) -> String? {
        guard let fd = try? openFile(path, O_RDONLY) else { return nil }
        defer { closeDescriptor(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            guard case .success(let n) = valueOrErrno({ chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) } }) else {
                return nil
            }
            if n == 0 { break }
            bytes.append(contentsOf: chunk[0..<n])
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

extension String {
    fileprivate func trimmingSpaces() -> Substring {
        var s = self[...]
        while let c = s.first, c == " " || c == "\n" || c == "\t" { s = s.dropFirst() }
        while let c = s.last, c == " " || c == "\n" || c == "\t" { s = s.dropLast() }
        return s
    }
}
