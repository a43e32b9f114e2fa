import OrangeCore
import OrangeSystem

extension Commands {
    /// `orange log -f`: after the last matching lines, every new line of orange.log as it is
    /// written, across rotations (`orange.log` becomes `orange.log.1` and a new one starts):
    /// the rest of the old file is read from `.1` before the new file. Runs until Ctrl-C.
    func followLog(printing shown: [String], matches: @escaping (String) -> String?) {
        let path = context.logFile
        var inode = FileSystem.status(path)?.inode
        var offset = FileSystem.status(path)?.size ?? 0
        var partial: [UInt8] = []
        let emit = { (bytes: [UInt8]) in
            partial += bytes
            guard let end = partial.lastIndex(of: UInt8(ascii: "\n")) else { return }
            let text = String(decoding: partial[...end], as: UTF8.self)
            partial.removeSubrange(...end)
            let lines = text.split(separator: "\n").compactMap { matches(String($0)) }
            if !lines.isEmpty { context.console.streamOutput(lines.map { $0 + "\n" }.joined()) }
        }
        if !shown.isEmpty { context.console.streamOutput(shown.map { $0 + "\n" }.joined()) }
        while true {
            let status = FileSystem.status(path)
            if let status, status.inode == inode, status.size >= offset {
                if status.size > offset, let bytes = try? FileSystem.readBytes(path, from: offset) {
                    offset += Int64(bytes.count)
                    emit(bytes)
                }
            } else if status != nil || FileSystem.status(path + ".1")?.inode == inode {
                // Rotated: what the old file got after our last read is now in `.1`.
                if let inode, FileSystem.status(path + ".1")?.inode == inode,
                    let rest = try? FileSystem.readBytes(path + ".1", from: offset)
                {
                    emit(rest)
                }
                inode = status?.inode
                offset = 0
                partial = []
            }
            context.clock.sleep(milliseconds: 200)
        }
    }
}
