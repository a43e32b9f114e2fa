import OrangeCore

/// The task folders of a project scanned while the whole tree is being bound (start-up, or the
/// root replaced): 100,000 `inotify_add_watch` calls and as many `lstat`s of TASK.md, most of
/// the watcher's start-up. They are spread over the cores; each worker adds a folder's watch
/// *before* it looks for the folder's TASK.md (F22), and the results are then recorded and
/// reported here, on the loop thread, in the listing's order, as `addDirectory` does one by one.
///
/// Only while binding a tree the map holds nothing of: then no folder of the project is recorded
/// yet, so recording never removes a watch the kernel gave another folder of the same batch (the
/// serial scan's order of `inotify_add_watch` and `inotify_rm_watch` calls cannot matter).
extension TaskTreeWatcher {
    /// What a worker found for one task folder.
    struct TaskFolderProbe: Sendable {
        var watch: Result<Int32, InotifyError>
        var holdsTaskFile: Bool
    }

    /// Watches and checks the task folders `names` (sorted) of `project`, as `addDirectory` of
    /// each (never retrying: a retry is not a fresh tree).
    func addNewTaskFolders(_ project: [String], _ names: [String], force: Bool, _ hints: inout [WatchHint]) {
        let folder = absolutePath(project) + "/"
        let (descriptor, mask) = (instance.fileDescriptor, Self.watchMask)
        let probes = ParallelMap.map(count: names.count) { index -> TaskFolderProbe in
            let absolute = folder + names[index]
            let watch = Result { () throws(InotifyError) in
                try InotifyInstance.addWatch(descriptor: descriptor, path: absolute, mask: mask)
            }
            switch watch {
            case .failure(.noSuchPath), .failure(.notADirectory): return TaskFolderProbe(watch: watch, holdsTaskFile: false)
            default: return TaskFolderProbe(watch: watch, holdsTaskFile: TaskTreeWatcher.holdsTaskFile(absolute))
            }
        }
        for (name, probe) in zip(names, probes) {
            switch probe.watch {
            case .success(let wd):
                // The compact path without an array of components (`project` is `["tasks", p]`).
                let taskFolder = WatchedFolderPath.task(project: project[1], id: name)
                if let previous = tree.wd(of: taskFolder), previous != wd { removeWatches(under: project + [name]) }
                let alreadyKnown = tree.holds(wd: wd, at: taskFolder)
                for stale in tree.record(wd: wd, folder: taskFolder) { instance.removeWatch(stale) }
                if alreadyKnown && !force { continue }
            case .failure(.noSuchPath), .failure(.notADirectory):
                tree.forgetUnwatched(under: project + [name])
                continue
            case .failure(let error):
                noteWatchFailure(error)
                tree.markUnwatched(project + [name])
            }
            hints.append(.taskDirectory(project: project[1], taskID: name, change: .appeared))
            if probe.holdsTaskFile { hints.append(.taskFile(project: project[1], taskID: name, kind: .appeared)) }
        }
    }
}
