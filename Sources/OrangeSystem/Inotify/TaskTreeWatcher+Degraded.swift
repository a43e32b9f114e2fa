import OrangeCore

/// Degraded mode (F12): folders that exist but hold no watch because `max_user_watches` (or the
/// instance limit) was reached. No event will ever come from them, so the loop polls them on a
/// short interval with `pollUnwatched` and retries the watches with `retryUnwatched`. Nothing is
/// poisoned: the watched part of the tree keeps working at full speed meanwhile.
extension TaskTreeWatcher {
    /// Tries again to watch the unwatched folders, parents first (after the limit was raised or
    /// watches were freed), and returns the hints of the scan of each folder now watched.
    ///
    /// It stops at the first folder that still hits the limit: the rest would fail the same way,
    /// and a retry every poll interval must stay cheap (one failing syscall, not one per folder).
    /// Folders that are gone leave the list.
    public func retryUnwatched() -> [WatchHint] {
        var hints: [WatchHint] = []
        let pending = tree.unwatched.sorted { a, b in
            a.count != b.count ? a.count < b.count : a.lexicographicallyPrecedes(b)
        }
        if pending.first?.isEmpty == true {
            rebindAll(&hints)
            return hints
        }
        for path in pending where tree.unwatched.contains(path) {
            if addDirectory(path, force: true, retrying: true, &hints) { break }
        }
        return hints
    }

    /// One poll of the unwatched folders: an `lstat` of every TASK.md in them, as `.statResult`s
    /// for the reducer. A new or changed fingerprint is read at once; a task in the graph whose
    /// file is gone (nil) is re-read after the quiet period and then removed; an unchanged one
    /// costs nothing. So an edit in an unwatched folder is seen within one poll interval.
    ///
    /// `knownKeys(project)` gives the tasks the graph holds in that project (nil: in every
    /// project), so a task folder that disappeared from an unwatched project is still stat'ed.
    public func pollUnwatched(knownKeys: (_ project: String?) -> [TaskKey]) -> [WatchEvent] {
        let pending = tree.unwatched
        guard !pending.isEmpty else { return [] }
        var keys: Set<TaskKey> = []
        if pending.contains(where: { $0.count <= 1 }) {
            // The root or `tasks/` itself is unwatched: nothing in the tree sends events.
            for project in childFolders([TaskTreeNames.tasksFolder]) where isInScope([TaskTreeNames.tasksFolder, project]) {
                keys.formUnion(taskKeys(inProject: project))
            }
            keys.formUnion(knownKeys(nil).filter { isInScope([TaskTreeNames.tasksFolder, $0.project]) })
        } else {
            let projects = Set(pending.filter { $0.count == 2 }.map { $0[1] })
            for project in projects {
                keys.formUnion(taskKeys(inProject: project))
                keys.formUnion(knownKeys(project))
            }
            // Task folders in a watched project (those in an unwatched one were just listed).
            for path in pending where path.count == 3 && !projects.contains(path[1]) {
                keys.insert(TaskKey(project: path[1], taskID: path[2]))
            }
        }
        return keys.sorted().map { key in
            .statResult(key, TaskFileReader.fingerprint(absolutePath(Self.taskFilePath(key))))
        }
    }

    /// The task folders of `project` found on disk now.
    private func taskKeys(inProject project: String) -> [TaskKey] {
        childFolders([TaskTreeNames.tasksFolder, project]).map { TaskKey(project: project, taskID: $0) }
    }

    /// The candidate folder names in `path` (none when it cannot be listed).
    private func childFolders(_ path: [String]) -> [String] {
        (DirectoryListing.entries(atPath: absolutePath(path)) ?? [])
            .filter { $0.kind == .directory && TaskTreeNames.isCandidateDirectory($0.name) }
            .map(\.name)
    }

    static func taskFilePath(_ key: TaskKey) -> [String] {
        [TaskTreeNames.tasksFolder, key.project, key.taskID, TaskTreeNames.taskFile]
    }
}
