import OrangeCore

/// Translation of inotify records into hints, level by level of the watched folder.
///
/// Events are hints: the translation never decides that a task changed, it only names the
/// paths worth re-reading. Kernel facts it relies on (inotify(7)): `IN_Q_OVERFLOW` has wd -1;
/// `IN_IGNORED` means the watch is already gone; the two halves of a rename carry the same
/// cookie and are adjacent when both folders are watched by this instance, but may be split
/// across reads, so an unpaired half is handled as a removal or an arrival on its own (F8).
extension TaskTreeWatcher {
    /// Turns records into hints and updates the watch map. Public so a replay can drive it.
    public func process(_ records: [InotifyRecord]) -> [WatchHint] {
        var hints: [WatchHint] = []
        var index = 0
        while index < records.count {
            let record = records[index]
            if record.mask.contains(.queueOverflow) {
                noteOverflow()
                appendOnce(.overflow, to: &hints)
                index += 1
                continue
            }
            if record.mask.contains(.movedFrom), record.cookie != 0, index + 1 < records.count {
                let next = records[index + 1]
                if next.mask.contains(.movedTo), next.cookie == record.cookie, handleRename(record, next, &hints) {
                    index += 2
                    continue
                }
            }
            handle(record, &hints)
            index += 1
        }
        return hints
    }

    private func handle(_ record: InotifyRecord, _ hints: inout [WatchHint]) {
        if record.mask.contains(.ignored) {
            if tree.consumeRetired(record.wd) { return }
            guard let path = tree.path(of: record.wd) else { return }
            tree.forget(wd: record.wd)
            if path.count <= 1 { anchorLost(path, &hints) }
            return
        }
        guard let directory = tree.path(of: record.wd) else {
            if tree.isRetired(record.wd) { return }  // queued before we removed the watch
            noteUnknownWatch(record.wd)
            appendOnce(.rescan(path: ""), to: &hints)
            return
        }
        guard let name = record.name else {
            handleSelfEvent(directory, record.mask, &hints)
            return
        }
        let isDirectory = record.mask.contains(.isDirectory)
        switch directory.count {
        case 0:
            guard name == TaskTreeNames.tasksFolder, isDirectory else { return }
            if record.mask.contains(.create) || record.mask.contains(.movedTo) {
                // A new `tasks/` (F17): whatever was bound before is stale, and the consumer
                // must rescan it (this also tells a pending sync to write a fresh cookie).
                if tree.isTracked([name]) { unbindTasks(&hints) }
                appendOnce(.rescan(path: TaskTreeNames.tasksFolder), to: &hints)
                addDirectory([name], force: true, &hints)
            } else if record.mask.contains(.delete) || record.mask.contains(.movedFrom) {
                unbindTasks(&hints)
            }
        case 1:
            if let token = TaskTreeNames.cookieToken(name), record.mask.contains(.create), !isDirectory {
                hints.append(.cookie(token))
                cookieSeen(token)
                return
            }
            handleChildFolder(directory, name, record.mask, &hints)
        case 2:
            handleChildFolder(directory, name, record.mask, &hints)
        case 3:
            guard name == TaskTreeNames.taskFile, !isDirectory, let kind = Self.fileKind(record.mask) else { return }
            hints.append(.taskFile(project: directory[1], taskID: directory[2], kind: kind))
        default:
            return
        }
    }

    /// A project folder inside `tasks/`, or a task folder inside a project.
    private func handleChildFolder(_ parent: [String], _ name: String, _ mask: InotifyMask, _ hints: inout [WatchHint]) {
        guard mask.contains(.isDirectory), TaskTreeNames.isCandidateDirectory(name) else { return }
        let path = parent + [name]
        if mask.contains(.create) || mask.contains(.movedTo) {
            // Not forced: a folder already watched under this name was scanned after its watch
            // was added (start-up or a parent's scan), so nothing in it can have been missed.
            addDirectory(path, force: false, &hints)
        } else if mask.contains(.delete) || mask.contains(.movedFrom) {
            removeFolder(path, &hints)
        }
    }

    /// Events about a watched folder itself. Only the two anchors matter here: for project and
    /// task folders the parent's DELETE/MOVED_FROM carries the same news with a name.
    private func handleSelfEvent(_ directory: [String], _ mask: InotifyMask, _ hints: inout [WatchHint]) {
        guard directory.count <= 1 else { return }
        if mask.contains(.deleteSelf) || mask.contains(.moveSelf) || mask.contains(.unmount) {
            anchorLost(directory, &hints)
        }
    }

    /// The root or `tasks/` was deleted, moved or unmounted.
    private func anchorLost(_ path: [String], _ hints: inout [WatchHint]) {
        if path.isEmpty {
            rebindAll(&hints)
            return
        }
        unbindTasks(&hints)
        // Normally the root's watch reports the new `tasks/`; without it, look now.
        if tree.wd(of: []) == nil {
            appendOnce(.rescan(path: TaskTreeNames.tasksFolder), to: &hints)
            addDirectory(path, force: true, &hints)
        }
    }

    /// Forgets everything under `tasks/` and asks for a rescan of it.
    private func unbindTasks(_ hints: inout [WatchHint]) {
        let tasks = [TaskTreeNames.tasksFolder]
        guard !tree.subtree(tasks).isEmpty else { return }
        removeWatches(under: tasks)
        appendOnce(.rescan(path: TaskTreeNames.tasksFolder), to: &hints)
    }

    /// A project or task folder left the tree: remove its watches and report every folder lost.
    private func removeFolder(_ path: [String], _ hints: inout [WatchHint]) {
        let lost = tree.subtree(path)
        if lost.isEmpty {
            if let hint = directoryHint(path, .removed) { hints.append(hint) }
            return
        }
        for folder in lost {
            if let hint = directoryHint(folder, .removed) { hints.append(hint) }
        }
        removeWatches(under: path)
    }

    /// A folder renamed inside the tree (both halves seen, adjacent): rewrite the paths of its
    /// watches, drop the ones pushed too deep, and rescan it under its new name. Returns false
    /// when the pair is not a tracked folder moving between watched levels; the two records are
    /// then handled one by one.
    private func handleRename(_ from: InotifyRecord, _ to: InotifyRecord, _ hints: inout [WatchHint]) -> Bool {
        guard from.mask.contains(.isDirectory), to.mask.contains(.isDirectory),
            let fromName = from.name, let toName = to.name,
            let fromParent = tree.path(of: from.wd), let toParent = tree.path(of: to.wd),
            (1...2).contains(fromParent.count), (1...2).contains(toParent.count),
            TaskTreeNames.isCandidateDirectory(fromName), TaskTreeNames.isCandidateDirectory(toName)
        else { return false }
        let old = fromParent + [fromName]
        let new = toParent + [toName]
        // A move into or out of the one watched project is a removal or an arrival, not a rename.
        guard tree.isTracked(old), isInScope(new) else { return false }
        for folder in tree.subtree(old) {
            if let hint = directoryHint(folder, .removed) { hints.append(hint) }
        }
        if tree.isTracked(new) { removeWatches(under: new) }
        for stale in tree.rename(from: old, to: new) { instance.removeWatch(stale) }
        for deep in tree.removeDeeper(than: 3) { instance.removeWatch(deep) }
        addDirectory(new, force: true, &hints)
        return true
    }

    /// What an event on `TASK.md` means; nil for events that say nothing about its content.
    static func fileKind(_ mask: InotifyMask) -> WatchHintKind? {
        if mask.contains(.movedTo) || mask.contains(.closeWrite) { return .completeWrite }
        if mask.contains(.delete) || mask.contains(.movedFrom) { return .removed }
        if mask.contains(.modify) || mask.contains(.create) { return .partialWrite }
        if mask.contains(.attrib) { return .attributes }
        return nil
    }
}
