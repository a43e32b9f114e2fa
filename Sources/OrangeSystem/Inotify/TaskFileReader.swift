import Glibc
import OrangeCore

/// The watch loop's read step, shared by `orange watch` and `orange-bench` so the benchmark
/// measures the engine's own code: `lstat`, read, parse, hash, and the folder check.
public enum TaskFileReader {
    /// Reads `<tasksRoot>/<project>/<id>/TASK.md` for the reducer; the record when it parsed.
    public static func read(_ key: TaskKey, tasksRoot: String) -> (result: FileReadResult, record: TaskRecord?) {
        let path = file(key, tasksRoot: tasksRoot)
        guard let print = fingerprint(path) else { return (.missing, nil) }
        let bytes: [UInt8]
        do { bytes = try FileSystem.readBytes(path) } catch {
            return (error.errno == ENOENT ? .missing : .unreadable(reason: "\(error)"), nil)
        }
        do {
            let record = try TaskRecord.parse(String(decoding: bytes, as: UTF8.self))
            guard record.id.rawValue == key.taskID, record.project.rawValue == key.project else {
                return (.invalid(fingerprint: print, line: nil, reason: "id or project does not match the folder"), nil)
            }
            return (.parsed(fingerprint: print, contentHash: contentHash(bytes)), record)
        } catch {
            return (.invalid(fingerprint: print, line: error.line, reason: error.reason), nil)
        }
    }

    public static func file(_ key: TaskKey, tasksRoot: String) -> String {
        tasksRoot + "/" + key.project + "/" + key.taskID + "/TASK.md"
    }

    /// `lstat` data of a regular file; nil for anything else (missing, a symlink, a folder).
    public static func fingerprint(_ path: String) -> FileFingerprint? {
        guard let status = FileSystem.status(path), status.isRegularFile else { return nil }
        return FileFingerprint(inode: status.inode, size: UInt64(status.size), mtimeNanoseconds: status.modifiedNanoseconds)
    }

    /// FNV-1a: cheap, and only ever compared with itself.
    static func contentHash(_ bytes: [UInt8]) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        return h
    }
}
