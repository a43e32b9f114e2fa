import Glibc
import OrangeCore

/// Reads `$ORANGE_HOME` into the snapshot `orange doctor` checks: the names and kinds of every
/// entry of the tasks tree (down to the entries of each task folder) and of `workspaces/`, the
/// contents of the files the checks parse, and the few facts only the kernel knows (which
/// creators of leftovers are alive, which spawn locks are held, which repositories exist).
///
/// It only reads: no file is created, not even a lock file. Nothing here throws; whatever cannot
/// be examined is recorded as such and becomes a finding.
public enum DataDirectoryReader {
    public static func snapshot(_ layout: DataDirectory, nowMilliseconds: Int64) -> DataDirectorySnapshot {
        var reader = Walk(layout: layout)
        let entries: [SnapshotEntry]
        switch list(layout.home) {
        case .success(let names):
            entries = names.map { name in
                let depth = name == TaskTreeNames.tasksFolder ? 3 : name == "workspaces" ? 1 : 0
                return reader.entry(layout.home + "/" + name, name: name, depth: depth)
            }
        case .failure:
            entries = []  // no data directory yet: nothing to check
        }
        for path in [layout.projectsFile, layout.configFile, layout.poolFile] where FileSystem.status(path) != nil {
            reader.files[path] = read { () throws(SystemError) in try FileSystem.readBytes(path) }
        }
        var workspaceTaskFiles: [String: SnapshotEntry] = [:]
        for folder in entries.first(where: { $0.name == "workspaces" })?.children ?? [] where folder.isDirectory && !folder.isHidden {
            let path = layout.workspacesRoot + "/" + folder.name + "/" + TaskTreeNames.taskFile
            if FileSystem.status(path) != nil {
                workspaceTaskFiles[folder.name] = reader.entry(path, name: TaskTreeNames.taskFile, depth: 0)
            }
        }
        var existing: Set<String> = []
        if case .bytes(let bytes)? = reader.files[layout.projectsFile], case .success(let projects) = Project.decodeRegistry(bytes) {
            for project in projects where FileSystem.isDirectory(project.path) { existing.insert(project.path) }
        }
        return DataDirectorySnapshot(
            home: layout.home, nowMilliseconds: nowMilliseconds, entries: entries, files: reader.files,
            alivePIDs: Set(reader.pids.filter(isAlive)), heldLocks: Set(reader.spawnLocks.filter(FileLock.isHeld)),
            existingDirectories: existing, workspaceTaskFiles: workspaceTaskFiles)
    }

    /// State gathered on the way down.
    private struct Walk {
        let layout: DataDirectory
        var files: [String: SnapshotFile] = [:]
        var pids: Set<Int32> = []
        var spawnLocks: [String] = []

        /// The entry at `path`, listing `depth` more levels below it when it is a visible folder.
        mutating func entry(_ path: String, name: String, depth: Int) -> SnapshotEntry {
            if let parsed = TransientFileNames.parse(name) { pids.insert(parsed.pid) }
            var st = stat()
            guard lstat(path, &st) == 0 else {
                let code = errno
                // A name that is not UTF-8 reaches Swift with U+FFFD in it, which names no file.
                let reason =
                    name.unicodeScalars.contains("\u{FFFD}")
                    ? "cannot be examined (its name is not valid UTF-8; rename it)"
                    : "cannot be examined: \(SystemError.message(for: code))"
                return SnapshotEntry(name, .unreadable(reason: reason))
            }
            let modified = Int64(st.st_mtim.tv_sec) * 1000 + Int64(st.st_mtim.tv_nsec) / 1_000_000
            switch st.st_mode & S_IFMT {
            case S_IFDIR:
                guard depth > 0, !name.hasPrefix(".") else { return .directory(name, nil, modifiedMilliseconds: modified) }
                switch list(path) {
                case .success(let names):
                    let children = names.map { entry(path + "/" + $0, name: $0, depth: depth - 1) }
                    if depth == 1 && names.contains(".spawning") { spawnLocks.append(path + "/.spawn.lock") }
                    return .directory(name, children, modifiedMilliseconds: modified)
                case .failure(let error):
                    return SnapshotEntry(
                        name, .unreadable(reason: "cannot list: \(SystemError.message(for: error.errno))"), modifiedMilliseconds: modified)
                }
            case S_IFLNK:
                let target = FileSystem.readSymbolicLink(path) ?? "?"
                return SnapshotEntry(
                    name, .symlink(target: target, targetExists: FileSystem.fileExists(path)), modifiedMilliseconds: modified)
            case S_IFREG:
                // Only the TASK.md of a task folder is read (depth 0 below tasks/<project>/<id>).
                if name == TaskTreeNames.taskFile && depth == 0 && path.hasPrefix(layout.tasksRoot + "/") {
                    do throws(SystemError) {
                        files[path] =
                            try FileSystem.readRegularFile(path).map(SnapshotFile.bytes) ?? .unreadable(reason: "is not a regular file")
                    } catch {
                        files[path] = .unreadable(reason: SystemError.message(for: error.errno))
                    }
                }
                return .file(name, modifiedMilliseconds: modified)
            default:
                return SnapshotEntry(name, .other, modifiedMilliseconds: modified)
            }
        }
    }

    private static func list(_ path: String) -> Result<[String], SystemError> {
        Result { () throws(SystemError) in try FileSystem.listDirectory(path) }
    }

    private static func read(_ body: () throws(SystemError) -> [UInt8]) -> SnapshotFile {
        do throws(SystemError) {
            return .bytes(try body())
        } catch {
            return .unreadable(reason: SystemError.message(for: error.errno))
        }
    }

    /// `kill(pid, 0)`: delivered, or refused for permission, means the process exists; but a
    /// zombie (state `Z` in /proc) has already exited and will write nothing more, so it counts as
    /// gone: its parent may take seconds to reap it.
    public static func isAlive(_ pid: Int32) -> Bool {
        guard kill(pid, 0) == 0 || errno == EPERM else { return false }
        guard let stat = try? FileSystem.readText("/proc/\(pid)/stat"), let close = stat.lastIndex(of: ")") else { return true }
        return stat[stat.index(after: close)...].split(separator: " ").first != "Z"
    }
}
