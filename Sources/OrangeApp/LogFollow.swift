import OrangeCore

/// Where `orange log -f` is in orange.log: which file it reads (its inode), how far, and the
/// start of a line not yet complete.
struct LogFollower {
    let files: any GrowingFiles
    let path: String
    private var inode: UInt64?
    private var offset: Int64
    private var partial: [UInt8] = []

    /// Starts at the end of the file as it is now.
    init(files: any GrowingFiles, path: String) {
        self.files = files
        self.path = path
        let state = files.state(of: path)
        inode = state?.inode
        offset = state?.size ?? 0
    }

    /// The lines completed since the last call, across a rotation (`orange.log` becomes
    /// `orange.log.1` and a new one starts): the rest of the old file is read from `.1` first.
    mutating func newLines() -> [String] {
        var lines: [String] = []
        let status = files.state(of: path)
        if let status, status.inode == inode, status.size >= offset {
            if status.size > offset, let bytes = try? files.read(path, from: offset) {
                offset += Int64(bytes.count)
                lines += complete(bytes)
            }
        } else if status != nil || files.state(of: path + ".1")?.inode == inode {
            // Rotated: what the old file got after our last read is now in `.1`.
            if let inode, files.state(of: path + ".1")?.inode == inode, let rest = try? files.read(path + ".1", from: offset) {
                lines += complete(rest)
            }
            inode = status?.inode
            offset = 0
            partial = []
        }
        return lines
    }

    private mutating func complete(_ bytes: [UInt8]) -> [String] {
        partial += bytes
        guard let end = partial.lastIndex(of: UInt8(ascii: "\n")) else { return [] }
        let text = String(decoding: partial[...end], as: UTF8.self)
        partial.removeSubrange(...end)
        return text.split(separator: "\n").map(String.init)
    }
}

extension Commands {
    /// `orange log -f`: after the last matching lines, every new line of orange.log as it is
    /// written, across rotations. Runs until Ctrl-C.
    func followLog(printing shown: [String], matches: @escaping (String) -> String?) {
        var follower = LogFollower(files: context.stores.logFiles, path: context.logFile)
        if !shown.isEmpty { context.console.streamOutput(shown.map { $0 + "\n" }.joined()) }
        while true {
            let lines = follower.newLines().compactMap(matches)
            if !lines.isEmpty { context.console.streamOutput(lines.map { $0 + "\n" }.joined()) }
            context.clock.sleep(milliseconds: 200)
        }
    }
}
