import OrangeCore
import Synchronization

/// The worktrees' folders in memory: which exist, what each one's TASK.md is, the set-up files
/// written into them, the locks held, and the files kept next to the task files. A worktree
/// exists once git made it (`gitMadeWorktree`) or a test put it there.
final class InMemoryWorkspaceFolders: WorkspaceFolders {
    enum Entry: Hashable {
        case link(to: String)
        case plainFile([UInt8], version: Int)
        case other
    }

    private struct State {
        var rootMade = false
        var folders: Set<String> = []
        var taskFiles: [String: Entry] = [:]
        var setupFiles: [String: [String: String]] = [:]
        var held: Set<String> = []
        /// Files next to the task files, by path.
        var kept: [String: [UInt8]] = [:]
        var versions = 0
    }

    let root: String
    private let state = Mutex(State())

    init(root: String) { self.root = root }

    // MARK: What tests put in place and look at

    /// What `git worktree add` makes: the folder at `path` under the root.
    func gitMadeWorktree(at path: String) {
        let name = path.hasPrefix(root + "/") ? String(path.dropFirst(root.count + 1)) : path
        _ = state.withLock { $0.folders.insert(name) }
    }

    /// A save by rename through the worktree's TASK.md (or a person's copy): a plain file.
    func saveByRename(_ text: String, in workspace: String) {
        state.withLock { state in
            state.versions += 1
            state.taskFiles[workspace] = .plainFile(Array(text.utf8), version: state.versions)
        }
    }

    func entry(in workspace: String) -> Entry? { state.withLock { $0.taskFiles[workspace] } }
    func setupFiles(in workspace: String) -> [String: String] { state.withLock { $0.setupFiles[workspace] ?? [:] } }
    var kept: [String: [UInt8]] { state.withLock { $0.kept } }
    var folders: Set<String> { state.withLock { $0.folders } }

    /// Holds the worktree's lock, as another process would.
    func hold(_ workspace: String) { _ = state.withLock { $0.held.insert(workspace) } }

    // MARK: WorkspaceFolders

    func isFolder(_ workspace: String) -> Bool { state.withLock { $0.folders.contains(workspace) } }
    func isOccupied(_ workspace: String) -> Bool { isFolder(workspace) }
    func resolvedPath(_ workspace: String) -> String? { isFolder(workspace) ? root + "/" + workspace : nil }
    func makeRoot() throws { state.withLock { $0.rootMade = true } }

    func moveAside(_ workspace: String, as name: String) throws {
        try state.withLock { state in
            guard state.folders.remove(workspace) != nil else { throw FakeFileError(path: root + "/" + workspace) }
            state.folders.insert(name)
            state.taskFiles[name] = state.taskFiles.removeValue(forKey: workspace)
        }
    }

    func remove(_ name: String) throws {
        state.withLock { state in
            state.folders.remove(name)
            state.taskFiles[name] = nil
            state.setupFiles[name] = nil
        }
    }

    func withLock<T>(_ workspace: String, timeoutSeconds: Double, _ body: () throws -> T) throws -> T {
        guard state.withLock({ $0.held.insert(workspace).inserted }) else { throw FakeFileError(path: "\(workspace) lock busy") }
        defer { _ = state.withLock { $0.held.remove(workspace) } }
        return try body()
    }

    func taskFile(in workspace: String) -> WorkspaceTaskFile {
        switch state.withLock({ $0.taskFiles[workspace] }) {
        case nil: return .missing
        case .link: return .link
        case .other: return .other
        case .plainFile(let bytes, let version):
            return .plainFile(version: FileVersion(inode: UInt64(version), size: Int64(bytes.count), modifiedNanoseconds: 0, mode: 0o600))
        }
    }

    func readTaskFile(in workspace: String) throws -> [UInt8] {
        guard case .plainFile(let bytes, _) = state.withLock({ $0.taskFiles[workspace] }) else {
            throw FakeFileError(path: workspace + "/TASK.md")
        }
        return bytes
    }

    func linkTaskFile(in workspace: String, to taskFile: String) throws {
        try state.withLock { state in
            guard state.folders.contains(workspace) else { throw FakeFileError(path: workspace) }
            state.taskFiles[workspace] = .link(to: taskFile)
        }
    }

    func relinkTaskFile(in workspace: String, to taskFile: String) throws { try linkTaskFile(in: workspace, to: taskFile) }

    func removeTaskFile(in workspace: String) throws { _ = state.withLock { $0.taskFiles.removeValue(forKey: workspace) } }

    func moveTaskFile(in workspace: String, nextTo taskFile: String, as name: String) throws -> String {
        let destination = Self.folder(of: taskFile) + "/" + name
        try state.withLock { state in
            guard case .plainFile(let bytes, _) = state.taskFiles.removeValue(forKey: workspace) else {
                throw FakeFileError(path: workspace + "/TASK.md")
            }
            state.kept[destination] = bytes
        }
        return destination
    }

    func hasFile(named name: String, nextTo taskFile: String) -> Bool {
        let path = Self.folder(of: taskFile) + "/" + name
        return state.withLock { $0.kept[path] != nil }
    }

    func keep(_ bytes: [UInt8], nextTo taskFile: String, as name: String) throws -> String {
        let path = Self.folder(of: taskFile) + "/" + name
        state.withLock { $0.kept[path] = bytes }
        return path
    }

    func writeSetupFile(_ file: Harness.SetupFile, in workspace: String) throws {
        try state.withLock { state in
            guard state.folders.contains(workspace) else { throw FakeFileError(path: workspace) }
            state.setupFiles[workspace, default: [:]][file.path] = file.content
        }
    }

    private static func folder(of path: String) -> String {
        path.lastIndex(of: "/").map { String(path[..<$0]) } ?? "."
    }
}

/// The agents' `bin/<key>/orange` links in memory.
final class InMemoryAgentLinks: AgentExecutableLinks {
    let home: String
    private let made = Mutex<[String: String]>([:])

    init(home: String) { self.home = home }

    /// Each link's folder and the executable it points at.
    var links: [String: String] { made.withLock { $0 } }

    func prepare(for executable: String) throws -> String {
        let folder = home + "/bin/" + AgentLaunch.executableKey(executable)
        made.withLock { $0[folder] = executable }
        return folder
    }
}

struct FakeFileError: Error, CustomStringConvertible {
    var path: String
    var description: String { "\(path): no such file (in memory)" }
}
