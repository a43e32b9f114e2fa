import Glibc
import OrangeCore

/// The watch loop's read step, shared by `orange watch` and `orange-bench` so the benchmark
/// measures the engine's own code: open, `fstat`, read, parse, hash, and the folder check.
public enum TaskFileReader {
    /// Reads `<tasksRoot>/<project>/<id>/TASK.md` for the reducer; the record when it parsed.
    public static func read(_ key: TaskKey, tasksRoot: String) -> (result: FileReadResult, record: TaskRecord?) {
        read(key, tasksRoot: tasksRoot, keepingBody: true)
    }

    /// `read`, with the record's body dropped as soon as it is parsed: what a holder of every
    /// task (the engine) keeps. The whole file is still read, checked and hashed, so a change
    /// in the notes is a change, and a file the CLI refuses is refused here too.
    public static func readWithoutBody(_ key: TaskKey, tasksRoot: String) -> (result: FileReadResult, record: TaskRecord?) {
        read(key, tasksRoot: tasksRoot, keepingBody: false)
    }

    /// `readWithoutBody` from the key's project folder, open on `projectFolder`: the path walked
    /// is `<id>/TASK.md`, not every folder above it again (the start-up read of every task).
    public static func readWithoutBody(
        _ key: TaskKey, tasksRoot: String, projectFolder: Int32
    ) -> (result: FileReadResult, record: TaskRecord?) {
        read(key, tasksRoot: tasksRoot, keepingBody: false, projectFolder: projectFolder)
    }

    private static func read(
        _ key: TaskKey, tasksRoot: String, keepingBody: Bool, projectFolder: Int32? = nil
    ) -> (result: FileReadResult, record: TaskRecord?) {
        let path = file(key, tasksRoot: tasksRoot)
        let print: FileFingerprint, bytes: [UInt8]
        switch readRegularFile(path, from: projectFolder.map { ($0, key.taskID + "/TASK.md") }) {
        case .missing: return (.missing, nil)
        case .unreadable(let reason): return (.unreadable(reason: reason), nil)
        case .read(let fingerprint, let content): (print, bytes) = (fingerprint, content)
        }
        // The store's own decoding, so the engine and the CLI agree on which files are valid
        // (invalid UTF-8 included: decoding it with replacement characters would accept a file
        // every write then refuses).
        guard let id = TaskID(validating: key.taskID), let project = ProjectName(validating: key.project) else {
            return (.invalid(fingerprint: print, line: nil, reason: "the folder names are not a valid project and task id"), nil)
        }
        switch TaskFileDecoder.decodeQuickly(bytes, folderID: id, folderProject: project, keepingBody: keepingBody) {
        case .success(let record):
            return (.parsed(fingerprint: print, contentHash: contentHash(bytes)), record)
        case .failure(let problem):
            return (.invalid(fingerprint: print, line: problem.line, reason: problem.reason), nil)
        }
    }

    enum RegularFileRead {
        case missing
        case unreadable(reason: String)
        case read(FileFingerprint, [UInt8])
    }

    /// One open, one `fstat` of the opened file, one read: the path is walked once, and the
    /// fingerprint is that of the very file read. What `lstat` + open did before: a symlink
    /// (`O_NOFOLLOW`), a folder or any other non-regular file is missing; a FIFO is not waited
    /// on (`O_NONBLOCK`, and it is never read).
    /// `relative`: the same file as `path`, opened as `path` from the open `folder`.
    static func readRegularFile(_ path: String, from relative: (folder: Int32, path: String)? = nil) -> RegularFileRead {
        let fd: Int32
        let flags = O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC
        do {
            fd = try retryingInterrupts("open", path: path) { relative.map { openat($0.folder, $0.path, flags) } ?? open(path, flags) }
        } catch {
            switch error.errno {
            case ENOENT, ENOTDIR, ELOOP, ENXIO: return .missing
            default:
                // As before: a file that `lstat` finds regular but cannot be opened (EACCES).
                guard fingerprint(path) != nil else { return .missing }
                return .unreadable(reason: "\(error)")
            }
        }
        defer { closeDescriptor(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { return .missing }
        let status = FileStatus(info)
        guard status.isRegularFile else { return .missing }
        do {
            return .read(fingerprint(status), try FileSystem.readAll(fd, path: path, sizeHint: Int(status.size), regularFile: true))
        } catch {
            return error.errno == ENOENT ? .missing : .unreadable(reason: "\(error)")
        }
    }

    public static func file(_ key: TaskKey, tasksRoot: String) -> String {
        tasksRoot + "/" + key.project + "/" + key.taskID + "/TASK.md"
    }

    /// `lstat` data of a regular file; nil for anything else (missing, a symlink, a folder).
    public static func fingerprint(_ path: String) -> FileFingerprint? {
        guard let status = FileSystem.status(path), status.isRegularFile else { return nil }
        return fingerprint(status)
    }

    static func fingerprint(_ status: FileStatus) -> FileFingerprint {
        FileFingerprint(inode: status.inode, size: UInt64(status.size), mtimeNanoseconds: status.modifiedNanoseconds)
    }

    /// The hash the store announces for its own writes (`TaskFileHash`).
    static func contentHash(_ bytes: [UInt8]) -> UInt64 { TaskFileHash.hash(bytes) }
}
