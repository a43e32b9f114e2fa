import Glibc
import OrangeCore

/// What `lstat` says about a path: enough to tell a change without reading the file.
public struct FileStatus: Hashable, Sendable {
    public var inode: UInt64
    /// Size in bytes.
    public var size: Int64
    /// Last modification, in nanoseconds since the epoch.
    public var modifiedNanoseconds: Int64
    /// Permission bits (`0o7777` part of `st_mode`).
    public var mode: UInt32
    public var isDirectory: Bool
    public var isSymbolicLink: Bool
    public var isRegularFile: Bool
}

extension FileStatus {
    /// What the `stat` record `st` says.
    init(_ st: stat) {
        let type = st.st_mode & S_IFMT
        self.init(
            inode: UInt64(st.st_ino), size: Int64(st.st_size),
            modifiedNanoseconds: Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec),
            mode: UInt32(st.st_mode & 0o7777), isDirectory: type == S_IFDIR, isSymbolicLink: type == S_IFLNK,
            isRegularFile: type == S_IFREG)
    }
}

/// One name in a folder listing, with the type `readdir` reported (never followed).
public struct DirectoryEntry: Hashable, Sendable {
    public enum Kind: Hashable, Sendable {
        case directory, symbolicLink, regularFile, other
        /// The file system did not say; `lstat` tells.
        case unknown
    }

    public var name: String
    public var kind: Kind
}

/// Small file-system helpers over libc. Every descriptor is opened `O_CLOEXEC` so nothing
/// leaks into the agents and tmux servers orange starts.
public enum FileSystem {
    /// The `lstat` of `path` (a symlink is described, not followed); nil when it cannot be
    /// examined (missing, or a folder on the way is not searchable).
    public static func status(_ path: String) -> FileStatus? {
        var st = stat()
        guard lstat(path, &st) == 0 else { return nil }
        return FileStatus(st)
    }

    /// `status` of `path` looked up from the open folder `folder` (`fstatat`, not following a
    /// final symlink): only the path's own folders are walked, not the folder's.
    public static func status(_ path: String, in folder: Int32) -> FileStatus? {
        var st = stat()
        guard fstatat(folder, path, &st, AT_SYMLINK_NOFOLLOW) == 0 else { return nil }
        return FileStatus(st)
    }

    /// True when `path` exists, following symlinks (a dangling link does not exist).
    public static func fileExists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    /// True for a directory, following symlinks.
    public static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    /// The whole file.
    public static func readBytes(_ path: String) throws(SystemError) -> [UInt8] {
        let fd = try openFile(path, O_RDONLY)
        defer { closeDescriptor(fd) }
        return try readAll(fd, path: path)
    }

    /// Reads to the end of file, looping on short reads, into the array returned (no second copy).
    /// `sizeHint` (the size `fstat` gave) sizes it, one byte more, so a file that grew since is
    /// seen to have and is still read whole. `regularFile`: `fd` is a regular file, whose short
    /// read is its end on Linux: the read that would return 0 is not made (the engine's start-up
    /// reads 100,000 TASK.md files). The buffer is not zero-filled first: that showed when
    /// reading thousands of small TASK.md files.
    static func readAll(_ fd: Int32, path: String, sizeHint: Int = 65536, regularFile: Bool = false) throws(SystemError) -> [UInt8] {
        var failure: SystemError?
        var full = false
        var bytes = [UInt8](unsafeUninitializedCapacity: max(sizeHint + 1, 256)) { buffer, count in
            while count < buffer.count {
                let n: Int
                switch Result(catching: { () throws(SystemError) in
                    try retryingInterrupts("read", path: path) { read(fd, buffer.baseAddress! + count, buffer.count - count) }
                }) {
                case .success(let read): n = read
                case .failure(let error):
                    failure = error
                    return
                }
                count += n
                if n == 0 || (regularFile && count < buffer.count) { return }
            }
            full = true
        }
        if let failure { throw failure }
        // Larger than its size said: the rest, to its end, in a buffer at least as large again.
        if full { bytes += try readAll(fd, path: path, sizeHint: max(bytes.count, 65536)) }
        return bytes
    }

    /// The file as UTF-8 text (invalid bytes replaced: use `readBytes` for files that may be
    /// written back).
    public static func readText(_ path: String) throws(SystemError) -> String {
        String(decoding: try readBytes(path), as: UTF8.self)
    }

    /// `mkdir -p` with the given mode for every folder it creates.
    public static func makeDirectories(_ path: String, mode: mode_t = 0o700) throws(SystemError) {
        if isDirectory(path) { return }
        var current = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            current += "/" + component
            if mkdir(current, mode) != 0 {
                let code = errno
                if code == EEXIST && isDirectory(current) { continue }
                throw SystemError("mkdir", path: current, errno: code)
            }
        }
    }

    /// Entry names of a folder, without `.` and `..`, sorted.
    public static func listDirectory(_ path: String) throws(SystemError) -> [String] {
        let fd = try openFile(path, O_RDONLY | O_DIRECTORY)
        return try entries(ofDirectory: fd, path: path)
    }

    /// The entries of a folder with their types, sorted by name: a scan of thousands of task
    /// folders needs no `lstat` per folder when the file system reports types (ext4, xfs,
    /// tmpfs, btrfs do; an `.unknown` entry needs one).
    public static func listDirectoryEntries(_ path: String) throws(SystemError) -> [DirectoryEntry] {
        let fd = try openFile(path, O_RDONLY | O_DIRECTORY)
        return try typedEntries(ofDirectory: fd, path: path)
    }

    /// Removes a file or a folder tree. Symlinks are removed, never followed, so a link inside a
    /// task folder can never make orange delete something outside it (see FileSystem+RemoveTree).
    public static func removeTree(_ path: String) throws(SystemError) {
        try removeTreeWithoutFollowingLinks(path)
    }

    /// The absolute path with every symlink, `.` and `..` resolved; nil when it does not exist.
    public static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// A new private folder named `prefix` + six random characters (`mkdtemp`).
    public static func makeTemporaryDirectory(prefix: String) throws(SystemError) -> String {
        var template = Array((prefix + "XXXXXX").utf8CString)
        guard let path = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw SystemError.current("mkdtemp")
        }
        return String(cString: path)
    }

    /// The process's working directory.
    public static func currentDirectory() -> String? {
        guard let cwd = getcwd(nil, 0) else { return nil }
        defer { free(cwd) }
        return String(cString: cwd)
    }

    /// Creates (or replaces) the symlink `path` → `target`.
    public static func createSymbolicLink(at path: String, pointingTo target: String) throws(SystemError) {
        if unlink(path) != 0 && errno != ENOENT { throw SystemError.current("unlink", path: path) }
        if symlink(target, path) != 0 { throw SystemError.current("symlink", path: path) }
    }

    /// Makes `path` a symlink to `target` with one rename, so a reader sees the old entry or the new
    /// link, never nothing. The temporary name carries this process's id (`TransientFileNames`).
    public static func replaceSymbolicLink(at path: String, pointingTo target: String) throws(SystemError) {
        let (directory, name) = AtomicFile.split(path)
        let temporary =
            directory + "/" + TransientFileNames.temporary(for: name, pid: getpid(), counter: Int(UInt32.random(in: 0...UInt32.max)))
        if symlink(target, temporary) != 0 { throw SystemError.current("symlink", path: temporary) }
        if Glibc.rename(temporary, path) != 0 {
            let error = SystemError.current("rename", path: path)
            unlink(temporary)
            throw error
        }
    }

    /// Where the symlink `path` points; nil when `path` is not a symlink.
    public static func readSymbolicLink(_ path: String) -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let n = readlink(path, &buffer, buffer.count - 1)
        guard n >= 0 else { return nil }
        return String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

extension FileSystem {
    /// The full path of `program` found in `searchPath` (a `PATH` value), or nil.
    public static func findExecutable(_ program: String, searchPath: String) -> String? {
        if program.contains("/") { return access(program, X_OK) == 0 ? program : nil }
        for directory in searchPath.split(separator: ":") where !directory.isEmpty {
            let candidate = "\(directory)/\(program)"
            if access(candidate, X_OK) == 0 && !isDirectory(candidate) { return candidate }
        }
        return nil
    }

    /// This process's executable (`/proc/self/exe`).
    public static func currentExecutable() -> String? {
        readSymbolicLink("/proc/self/exe")
    }
}

extension FileSystem {
    /// The folder part of a path (`/a/b/c` → `/a/b`).
    public static func parentDirectory(of path: String) -> String {
        AtomicFile.split(path).directory
    }

    public static func rename(_ from: String, to: String) throws(SystemError) {
        if Glibc.rename(from, to) != 0 { throw SystemError.current("rename", path: from) }
    }
}

extension FileSystem {
    /// Creates an empty file (a plain `open(O_CREAT)`, so watchers see a CREATE event).
    public static func createEmptyFile(_ path: String) throws(SystemError) {
        closeDescriptor(try openFile(path, O_WRONLY | O_CREAT, mode: 0o600))
    }
}

extension FileSystem {
    /// The bytes of `path` when it is a regular file (nil for a FIFO, folder, device); a
    /// symlink fails with ELOOP. O_NONBLOCK keeps a FIFO named TASK.md from hanging the open.
    public static func readRegularFile(_ path: String) throws(SystemError) -> [UInt8]? {
        let fd = try openFile(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK)
        defer { closeDescriptor(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw SystemError.current("fstat", path: path) }
        guard (st.st_mode & S_IFMT) == S_IFREG else { return nil }
        return try readAll(fd, path: path, sizeHint: Int(st.st_size))
    }
}
