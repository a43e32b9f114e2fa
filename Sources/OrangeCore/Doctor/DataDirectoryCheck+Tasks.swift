// The task folders and the graph they form: unreadable or misplaced TASK.md files, stray
// entries, interrupted spawns, duplicate ids, dangling or cross-project references, cycles, and
// parent/child links written on one side only.

extension DataDirectoryChecker {
    mutating func checkTaskFolders() {
        for folder in folders {
            let file = folder.path + "/" + TaskTreeNames.taskFile
            let decoded = checkTaskFile(folder, path: file)
            for entry in folder.entries where entry.name != TaskTreeNames.taskFile {
                let path = folder.path + "/" + entry.name
                if entry.name == DataDirectoryCheck.spawnMarker {
                    checkSpawnMarker(folder, path: path, taskFileState: decoded)
                } else if let parsed = TransientFileNames.parse(entry.name) {
                    checkLeftover(entry, parsed, path: path)
                } else if !entry.isHidden && !DataDirectoryCheck.taskFolderNames.contains(entry.name)
                    && !DetachedTaskFile.isKeptAsideName(entry.name)
                {
                    strayEntry(entry, path: path, "a task folder holds TASK.md and history.jsonl")
                }
            }
        }
        for (id, paths) in folderPaths where paths.count > 1 {
            for path in paths {
                let others = paths.filter { $0 != path }.joined(separator: ", ")
                report(
                    .duplicateID, path,
                    "task id '\(id)' is also used by \(others); ids must be unique across projects (commands find only one of them)")
            }
        }
    }

    enum TaskFileState { case valid, invalid, missing }

    /// Decodes the folder's TASK.md exactly as the store does; returns what became of it.
    private mutating func checkTaskFile(_ folder: FoundTaskFolder, path: String) -> TaskFileState {
        guard let entry = folder.entries.first(where: { $0.name == TaskTreeNames.taskFile }) else {
            report(.missingTaskFile, folder.path, "task folder without a TASK.md (restore the file, or remove the folder)")
            return .missing
        }
        switch entry.kind {
        case .symlink(let target, let exists):
            if exists {
                report(.symlink, path, "is a symbolic link (to \(target)); orange only reads TASK.md files that are real files")
            } else {
                report(.brokenSymlink, path, "broken symbolic link (to \(target), which does not exist)")
            }
            return .invalid
        case .directory, .other:
            report(.invalidTaskFile, path, "is not a regular file")
            return .invalid
        case .unreadable(let reason):
            report(.unreadable, path, reason)
            return .invalid
        case .file:
            break
        }
        switch snapshot.files[path] {
        case nil:
            report(.unreadable, path, "vanished while it was examined")
            return .invalid
        case .unreadable(let reason)?:
            report(.invalidTaskFile, path, "cannot read: \(reason)")
            return .invalid
        case .bytes(let bytes)?:
            switch TaskFileDecoder.decodeDocument(bytes, folderID: folder.id, folderProject: folder.project) {
            case .success(let decoded):
                // A duplicate id's second folder is reported above and kept out of the graph,
                // which can hold one task per id.
                if folderPaths[folder.id]?.first == folder.path {
                    var lines: [String: Int] = [:]
                    for entry in decoded.document.entries where lines[entry.key] == nil { lines[entry.key] = entry.line }
                    valid.append(ValidTask(record: decoded.task, path: path, lines: lines))
                }
                if let fields = TaskFileMerge.conflictFields(of: decoded.task) {
                    report(
                        .mergeConflict, path, line: decoded.document.entry(TaskFileMerge.conflictKey)?.line,
                        TaskFileMerge.conflictReport(fields))
                }
                return .valid
            case .failure(let problem):
                var reason = problem.reason
                if let claimed = problem.claimedID, let other = folderPaths[claimed]?.first {
                    reason += " (a copied folder? task '\(claimed)' is at \(other))"
                }
                report(.invalidTaskFile, path, line: problem.line, reason)
                return .invalid
            }
        }
    }

    /// `.spawning` lives from a spawn's claim to its end; with nobody holding `.spawn.lock`, the
    /// spawner died half way.
    private mutating func checkSpawnMarker(_ folder: FoundTaskFolder, path: String, taskFileState: TaskFileState) {
        guard !snapshot.heldLocks.contains(folder.path + "/.spawn.lock") else { return }  // a spawn in progress
        switch taskFileState {
        case .valid:
            report(
                .staleSpawnMarker, path, "a spawn of this task was interrupted (no spawner holds its lock)",
                fix: .repairInterruptedSpawn(folder.id, folder.project))
        case .missing:
            report(.staleSpawnMarker, path, "spawn marker of a task folder without TASK.md", fix: .remove(path: path))
        case .invalid:
            // The repair rewrites TASK.md, which is never done to a file orange cannot read.
            report(
                .staleSpawnMarker, path, "a spawn of this task was interrupted; fix its TASK.md first, then run 'orange doctor --fix' again"
            )
        }
    }

    // MARK: - The graph

    mutating func checkGraph() {
        let graph = TaskGraph(valid.map(\.record))
        let byID = Dictionary(valid.map { ($0.record.id, $0) }, uniquingKeysWith: { first, _ in first })
        for task in valid {
            checkReferences(task, graph: graph)
        }
        for problem in graph.linkProblems() {
            switch problem {
            case .missingFromParent(let child, let parent):
                // Across projects the link is wrong whichever side is written (reported above).
                guard let record = byID[parent], byID[child]?.record.project == record.record.project else { continue }
                report(
                    .oneSidedLink, record.path, line: record.lines["children"],
                    "children: \(problem.description)", fix: .addChild(child, toParent: parent, project: record.record.project))
            case .childNamesOtherParent(_, let listedBy, _):
                guard let record = byID[listedBy] else { continue }
                report(
                    .conflictingParent, record.path, line: record.lines["children"],
                    "children: \(problem.description); decide which is right and edit the files")
            }
        }
        let cycles = CycleIndex(graph: graph)
        for component in cycles.components {
            guard let first = component.first, let record = byID[first] else { continue }
            // A task blocked by itself is reported as such.
            if component.count == 1 && record.record.blockedBy.contains(first) { continue }
            let path = cycles.path(through: first).map(formatCycle) ?? "cycle: " + component.map(\.rawValue).joined(separator: ", ")
            report(.cycle, record.path, "dependency \(path) (over blocked_by and parent links); none of these tasks can start or complete")
        }
    }

    private mutating func checkReferences(_ task: ValidTask, graph: TaskGraph) {
        let record = task.record
        for blocker in record.blockedBy {
            let line = task.lines["blocked_by"]
            if blocker == record.id {
                report(
                    .blockedBySelf, task.path, line: line,
                    "blocked_by: the task is blocked by itself; remove it with 'orange task update \(record.id) --unblock \(blocker)'")
            } else if let other = graph[blocker] {
                if other.project != record.project {
                    report(
                        .blockerInOtherProject, task.path, line: line,
                        "blocked_by: task '\(blocker)' is in project '\(other.project)', not '\(record.project)' (cross-project dependencies are not supported)"
                    )
                }
            } else {
                report(
                    .missingBlocker, task.path, line: line,
                    "blocked_by: task '\(blocker)' \(absence(blocker)); remove it with 'orange task update \(record.id) --unblock \(blocker)'"
                )
            }
        }
        if let parent = record.parent, let other = graph[parent], other.project != record.project {
            report(
                .parentInOtherProject, task.path, line: task.lines["parent"],
                "parent: task '\(parent)' is in project '\(other.project)', not '\(record.project)'")
        }
        // A deleted parent leaves its children on their own by design; but a parent still in play
        // that lists a child which is gone can never count it done.
        guard !record.status.isTerminal else { return }
        for child in record.children where graph[child] == nil {
            report(
                .missingChild, task.path, line: task.lines["children"],
                "children: task '\(child)' \(absence(child)); this task can never see all its children done")
        }
    }

    /// "does not exist", or why an existing folder does not count.
    private func absence(_ id: TaskID) -> String {
        folderPaths[id] == nil ? "does not exist" : "cannot be read (see the problem reported for its folder)"
    }
}
