/// The pooled worktrees as folders: what orange itself makes in and beside them (git makes
/// and fills each worktree). Worktrees are named as in the pool (`<project>--<n>`); every name
/// is a folder directly under the workspaces root.
public protocol WorkspaceFolders: Sendable {
    /// Whether the worktree's folder is there.
    func isFolder(_ workspace: String) -> Bool
    /// Whether anything at all is at the worktree's path (a folder, a file, a dangling link).
    func isOccupied(_ workspace: String) -> Bool
    /// The worktree's path with every link resolved; nil when nothing is there.
    func resolvedPath(_ workspace: String) -> String?
    /// Makes the folder the worktrees live in, when missing.
    func makeRoot() throws
    /// Renames the worktree's folder to `name`, beside it under the root; nothing is deleted.
    func moveAside(_ workspace: String, as name: String) throws
    /// Removes the folder `name` under the root and all it holds; nothing there is no error.
    func remove(_ name: String) throws
    /// Runs `body` holding the worktree's lock (`.<name>.lock` under the root), shared by every
    /// process that does git work in that worktree; throws when another holder keeps it past
    /// `timeoutSeconds`.
    func withLock<T>(_ workspace: String, timeoutSeconds: Double, _ body: () throws -> T) throws -> T

    /// What `TASK.md` at the top of the worktree is.
    func taskFile(in workspace: String) -> WorkspaceTaskFile
    /// The bytes of the worktree's `TASK.md` (the file a save by rename left there).
    func readTaskFile(in workspace: String) throws -> [UInt8]
    /// Makes `TASK.md` a symbolic link to `taskFile`, unlinking a file or link already there.
    func linkTaskFile(in workspace: String, to taskFile: String) throws
    /// Puts the link to `taskFile` in place of whatever `TASK.md` is, in one rename: the
    /// worktree never has no `TASK.md`.
    func relinkTaskFile(in workspace: String, to taskFile: String) throws
    /// Removes `TASK.md`, whatever it is.
    func removeTaskFile(in workspace: String) throws
    /// Moves the worktree's `TASK.md` into the folder of `taskFile` as `name`; returns its new path.
    func moveTaskFile(in workspace: String, nextTo taskFile: String, as name: String) throws -> String
    /// Whether something named `name` is in the folder of `taskFile`.
    func hasFile(named name: String, nextTo taskFile: String) -> Bool
    /// Writes `bytes` into the folder of `taskFile` as `name` (atomically); returns its path.
    func keep(_ bytes: [UInt8], nextTo taskFile: String, as name: String) throws -> String

    /// Writes a harness's set-up file into the worktree (its folders made as needed), replacing
    /// what was there.
    func writeSetupFile(_ file: Harness.SetupFile, in workspace: String) throws
}

/// What a worktree's `TASK.md` is: the link to the task's file as orange made it, or what a
/// save by rename (or a person) left in its place.
public enum WorkspaceTaskFile: Hashable, Sendable {
    case missing
    case link
    /// A plain file; `version` changes with every save that replaces or rewrites it.
    case plainFile(version: FileVersion)
    /// Anything else (a folder, a device).
    case other

    public var isPlainFile: Bool {
        if case .plainFile = self { return true }
        return false
    }
}

/// Tells one state of a file from the next: its inode, size, modification time and mode.
public struct FileVersion: Hashable, Sendable {
    public var inode: UInt64
    public var size: Int64
    public var modifiedNanoseconds: Int64
    public var mode: UInt32

    public init(inode: UInt64, size: Int64, modifiedNanoseconds: Int64, mode: UInt32) {
        self.inode = inode
        self.size = size
        self.modifiedNanoseconds = modifiedNanoseconds
        self.mode = mode
    }
}
