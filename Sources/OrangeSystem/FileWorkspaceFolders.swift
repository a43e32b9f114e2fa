import OrangeCore

/// The worktrees under `workspaces/`, as files: `lstat`, `rename`, symlinks, atomic writes and
/// the per-worktree flock.
public struct FileWorkspaceFolders: WorkspaceFolders {
    public let layout: DataDirectory

    public init(layout: DataDirectory) { self.layout = layout }

    private func path(_ workspace: String) -> String { layout.workspace(workspace) }
    private func taskFilePath(_ workspace: String) -> String { path(workspace) + "/TASK.md" }

    public func isFolder(_ workspace: String) -> Bool { FileSystem.isDirectory(path(workspace)) }

    public func isOccupied(_ workspace: String) -> Bool { FileSystem.fileExists(path(workspace)) }

    public func resolvedPath(_ workspace: String) -> String? { FileSystem.realPath(path(workspace)) }

    public func makeRoot() throws { try FileSystem.makeDirectories(layout.workspacesRoot) }

    public func moveAside(_ workspace: String, as name: String) throws {
        try FileSystem.rename(path(workspace), to: layout.workspace(name))
    }

    public func remove(_ name: String) throws { try FileSystem.removeTree(layout.workspace(name)) }

    public func withLock<T>(_ workspace: String, timeoutSeconds: Double, _ body: () throws -> T) throws -> T {
        try makeRoot()
        return try FileLock.withLock(layout.workspacesRoot + "/.\(workspace).lock", timeoutSeconds: timeoutSeconds, body)
    }

    public func taskFile(in workspace: String) -> WorkspaceTaskFile {
        guard let status = FileSystem.status(taskFilePath(workspace)) else { return .missing }
        if status.isSymbolicLink { return .link }
        guard status.isRegularFile else { return .other }
        return .plainFile(
            version: FileVersion(
                inode: status.inode, size: status.size, modifiedNanoseconds: status.modifiedNanoseconds, mode: status.mode))
    }

    public func readTaskFile(in workspace: String) throws -> [UInt8] { try FileSystem.readBytes(taskFilePath(workspace)) }

    public func linkTaskFile(in workspace: String, to taskFile: String) throws {
        try FileSystem.createSymbolicLink(at: taskFilePath(workspace), pointingTo: taskFile)
    }

    public func relinkTaskFile(in workspace: String, to taskFile: String) throws {
        try FileSystem.replaceSymbolicLink(at: taskFilePath(workspace), pointingTo: taskFile)
    }

    public func removeTaskFile(in workspace: String) throws { try FileSystem.removeTree(taskFilePath(workspace)) }

    public func moveTaskFile(in workspace: String, nextTo taskFile: String, as name: String) throws -> String {
        let destination = FileSystem.parentDirectory(of: taskFile) + "/" + name
        try FileSystem.rename(taskFilePath(workspace), to: destination)
        return destination
    }

    public func hasFile(named name: String, nextTo taskFile: String) -> Bool {
        FileSystem.status(FileSystem.parentDirectory(of: taskFile) + "/" + name) != nil
    }

    public func keep(_ bytes: [UInt8], nextTo taskFile: String, as name: String) throws -> String {
        let path = FileSystem.parentDirectory(of: taskFile) + "/" + name
        try AtomicFile.write(bytes, to: path)
        return path
    }

    public func writeSetupFile(_ file: Harness.SetupFile, in workspace: String) throws {
        let target = path(workspace) + "/" + file.path
        try FileSystem.makeDirectories(FileSystem.parentDirectory(of: target), mode: 0o755)
        try AtomicFile.write(file.content, to: target, mode: 0o644)
    }
}
