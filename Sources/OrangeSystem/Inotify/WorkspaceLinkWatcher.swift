import OrangeCore

/// Watches the `TASK.md` link at the top of each bound workspace, and the pool file that says
/// which workspaces are bound.
///
/// One watch per workspace, on its top folder only (a worktree can hold any number of folders;
/// only the link at its top matters), plus one on `workspaces/` for `.pool.json`. Its own
/// inotify instance, so the tasks tree's watcher and its tests (F1–F25) are untouched; the
/// engine's poll loop waits on both descriptors. Owned by the loop's thread, like the instance.
public final class WorkspaceLinkWatcher {
    /// What one drain of the queue found.
    public struct Changes: Hashable, Sendable {
        /// The pool file was rewritten (bindings may have changed), or events were lost.
        public var poolChanged = false
        /// Workspaces (`<project>--<n>`) whose TASK.md was renamed over or closed after writing:
        /// a complete file, to look at now.
        public var complete: Set<String> = []
        /// Workspaces whose TASK.md was only created or removed: a writer may still be writing
        /// (`cp --remove-destination` creates the file empty, then writes and closes it, which
        /// comes as `complete`); looked at later, for what never closes (a hard link).
        public var touched: Set<String> = []
    }

    static let folderMask: InotifyMask = [.movedTo, .create, .closeWrite, .delete, .onlyDirectory, .dontFollow]
    static let poolFileName = ".pool.json"

    private let instance: InotifyInstance
    private let workspacesRoot: String
    private var rootWatch: Int32?
    private var watches: [String: Int32] = [:]
    private var names: [Int32: String] = [:]

    public init(workspacesRoot: String) throws(InotifyError) {
        self.workspacesRoot = workspacesRoot
        instance = try InotifyInstance(bufferSize: 16 * 1024)
    }

    public var fileDescriptor: Int32 { instance.fileDescriptor }

    /// The workspaces watched now.
    public var watchedWorkspaces: Set<String> { Set(watches.keys) }

    /// Watches exactly `workspaces` (and the pool folder). A folder that cannot be watched (gone,
    /// or out of watches) is left out; the engine's sweep calls this again.
    public func watch(_ workspaces: Set<String>) {
        if rootWatch == nil { rootWatch = try? instance.addWatch(path: workspacesRoot, mask: Self.folderMask) }
        for (name, wd) in watches where !workspaces.contains(name) {
            instance.removeWatch(wd)
            watches[name] = nil
            names[wd] = nil
        }
        for name in workspaces where watches[name] == nil {
            guard let wd = try? instance.addWatch(path: workspacesRoot + "/" + name, mask: Self.folderMask) else { continue }
            watches[name] = wd
            names[wd] = name
        }
    }

    /// Drains the queue without blocking.
    public func read() throws(InotifyError) -> Changes {
        var changes = Changes()
        for record in try instance.readAvailable() {
            if record.mask.contains(.queueOverflow) {
                // Lost events: re-read the pool and look at every watched workspace.
                changes.poolChanged = true
                changes.complete.formUnion(watches.keys)
            } else if record.mask.contains(.ignored) {
                // The folder went away (or was replaced): forget it; the next `watch` adds it again.
                if record.wd == rootWatch { rootWatch = nil }
                if let name = names.removeValue(forKey: record.wd) { watches[name] = nil }
                changes.poolChanged = true
            } else if record.wd == rootWatch {
                if record.name == Self.poolFileName { changes.poolChanged = true }
            } else if record.name == TaskTreeNames.taskFile, let name = names[record.wd] {
                if record.mask.contains(.movedTo) || record.mask.contains(.closeWrite) {
                    changes.complete.insert(name)
                } else {
                    changes.touched.insert(name)
                }
            }
        }
        return changes
    }

    public func close() { instance.close() }
}
