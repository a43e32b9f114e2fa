import Glibc
import OrangeCore

/// `ProcessTable` over `/proc`: the session id is field 6 of `/proc/<pid>/stat`.
public struct ProcFSProcessTable: ProcessTable {
    public init() {}

    public var currentProcess: Int32 { getpid() }

    public func members(ofSession session: Int32) -> [Int32] {
        guard session > 0, let directory = opendir("/proc") else { return [] }
        defer { closedir(directory) }
        var members: [Int32] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            guard let pid = Int32(name), let stat = Self.stat(of: pid) else { continue }
            // A zombie has ended; only its parent has not reaped it yet.
            if stat.session == session && stat.state != "Z" { members.append(pid) }
        }
        return members
    }

    public func kill(_ process: Int32) {
        guard process > 0 else { return }
        _ = Glibc.kill(process, SIGKILL)
    }

    public func leaveSession() -> Bool {
        setsid() != -1
    }

    /// State and session of a process: the fields after the command name, which is in
    /// parentheses and may itself hold spaces and parentheses, so the line is read from its last `)`.
    static func stat(of pid: Int32) -> (state: Character, session: Int32)? {
        guard let bytes = try? FileSystem.readRegularFile("/proc/\(pid)/stat") ?? nil,
            let close = bytes.lastIndex(of: UInt8(ascii: ")"))
        else { return nil }
        let fields = bytes[(close + 1)...].split(separator: UInt8(ascii: " "))
        // state ppid pgrp session …
        guard fields.count > 3, let state = fields[0].first, let session = Int32(String(decoding: fields[3], as: UTF8.self)) else {
            return nil
        }
        return (Character(Unicode.Scalar(state)), session)
    }
}
