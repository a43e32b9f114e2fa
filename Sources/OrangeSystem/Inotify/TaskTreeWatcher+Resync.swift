import OrangeCore

/// The watcher's side of a full resync (after `.overflow` or `.rescan`, F9, F13).
extension TaskTreeWatcher {
    /// Walks the tree again and returns the hints of a full scan, including an `.appeared` for
    /// every TASK.md found: the listing the reducer's `.fullResync` asks for.
    ///
    /// Listing alone is not enough after lost events: a folder created meanwhile has no watch (its
    /// `CREATE` was among the lost events), so later edits in it would raise nothing; and a folder
    /// removed meanwhile may still be in the map (its `IN_IGNORED` can be lost too). So the walk
    /// adds the missing watches (an existing one is returned unchanged by the kernel, and a folder
    /// renamed meanwhile keeps its descriptor, which moves its paths), then drops the folders gone.
    public func resync() -> [WatchHint] {
        var hints: [WatchHint] = []
        let tasks = [TaskTreeNames.tasksFolder]
        addDirectory(tasks, force: true, &hints)
        for path in tree.subtree(tasks) where path.count >= 2 && tree.isTracked(path) {
            if FileSystem.status(absolutePath(path))?.isDirectory != true {
                removeWatches(under: path)
            }
        }
        return hints
    }
}
