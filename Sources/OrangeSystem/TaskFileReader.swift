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
        // The store's own decoding, so the engine and the CLI agree on which files are valid
        // (invalid UTF-8 included: decoding it with replacement characters would accept a file
        // every write then refuses).
        guard let id = TaskID(validating: key.taskID), let project = ProjectName(validating: key.project) else {
            return (.invalid(fingerprint: print, line: nil, reason: "the folder names are not a valid project and task id"), nil)
        }
        switch TaskFileDecoder.decode(bytes, folderID: id, folderProject: project) {
        case .success(let record):
            return (.parsed(fingerprint: print, contentHash: contentHash(bytes)), record)
        case .failure(let problem):
            return (.invalid(fingerprint: print, line: problem.line, reason: problem.reason), nil)
        }
    }

    /// `read`, with the record's body dropped as soon as it is parsed: what a holder of every
    /// task (the engine) keeps. The whole file is still read, checked and hashed, so a change
    /// in the notes is a change, and a file the CLI refuses is refused here too.
    public static func readWithoutBody(_ key: TaskKey, tasksRoot: String) -> (result: FileReadResult, record: TaskRecord?) {
        let (result, record) = read(key, tasksRoot: tasksRoot)
        return (result, record?.withoutBody)
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
    static func contentHash(_ bytes: [UInt8]) -> UInt64 { FNV1a.hash(bytes) }
}
