import OrangeCore

/// The engine's own view of the graph: what each batch from the reducer changes, and the lines
/// it prints about it.
extension WatchEngine {
    /// Where a change to the engine's graph came from: a TASK.md read after an event, a sweep or
    /// a resync, or the engine's own write.
    enum ChangeOrigin: String {
        case file
        case engine
    }

    /// Updates the engine's graph and reports what changed, with the delay since the first event.
    func apply(_ changes: [AppliedTaskChange], origin: ChangeOrigin) {
        let now = clock.monotonicNanoseconds()
        // Indexes the worker built for the graph as it is before this batch, so that they follow it.
        takeRebuiltIndexes()
        // Nothing to announce when every task in the graph afterwards comes from this batch, or
        // when the batch is a part of the start-up's (which comes slice by slice, before the
        // engine has started).
        let announcesNothing = graph.count == 0 || !started
        var changedIDs: [TaskID] = []
        var indexChanges: [GraphIndexes.Change] = []
        let anyPullRequestFollowed = (pullRequests?.followedCount ?? 0) > 0
        // A batch the indexes cannot follow change by change is indexed again from scratch: its
        // list of changes (two compact records each, 27 MB for the start-up batch at 100,000
        // tasks, held through the whole batch) would only be counted.
        let followed = changes.count <= GraphIndexes.largestIncrementalBatch
        // Not for the start-up batch's parts: `run` publishes the graph once they are all in,
        // and a reader holding a part's graph would make the next part copy every shard.
        defer { if started { publishSnapshot() } }
        // Room for a large batch at once: the start-up batch holds every task, and growing the
        // table by doubling held the old and the new array together. (Not for small ones:
        // reserving one more place at a time would copy the table each time.)
        if changes.count > 1024 { graph.reserveCapacity(graph.count + changes.count) }
        for applied in changes {
            let key = applied.key
            let latency = applied.firstHintAt.map { Double(now - $0) / 1e6 }
            // Made only for a line printed: the start-up batch prints none for 100,000 tasks.
            var latencyText: String { latency.map { ", \(Int($0.rounded())) ms" } ?? "" }
            switch applied.change {
            case .updated:
                let wasInvalid = !invalidFiles.isEmpty && invalidFiles.removeValue(forKey: key) != nil
                guard let read = applied.compact else { continue }
                // The folder's name: the watcher and the reducer hold that string already, and the
                // record's ids then share it instead of keeping a copy of their own.
                let record = interner.intern(read, folderID: TaskID(validating: key.taskID))
                let old = graph.upsert(record)
                changedIDs.append(record.id)
                followPullRequest(of: record.id, record, anyFollowed: anyPullRequestFollowed)
                // The catch-up looks at the history of what it is asked to decide on; a task applied
                // after that is an event (and the sweeps look at every history).
                if !catchUpAskedFor && !applied.historyAgrees && options.performsActions { historyToCheck.append(record.id) }
                reportMergeConflict(old: old, record, path: taskFile(key))
                if followed { indexChanges.append(GraphIndexes.Change(old: old, new: record)) }
                // Fixed, back to the last good content or to new content: the "keeping the last
                // good version" warning no longer holds, and nothing else would say so.
                // Logged before it is printed, so whoever sees the line finds it in orange.log.
                if wasInvalid {
                    let path = taskFile(key)
                    context.logger.info(
                        "watch", "Task file valid again", [("path", .string(path)), ("task_id", .string(record.id.rawValue))])
                    emit(
                        .object([
                            ("event", "valid"), ("path", .string(path)), ("id", .string(record.id.rawValue)),
                            ("branch", .string(record.branch)),
                            ("status", .string(record.status.rawValue)), ("latency_ms", latency.map { .double($0) } ?? .null),
                        ]),
                        "\(path): valid again (\(record.branch), \(record.status.rawValue))")
                }
                if old == nil && started {
                    emit(
                        .object([
                            ("event", "added"), ("id", .string(record.id.rawValue)), ("branch", .string(record.branch)),
                            ("status", .string(record.status.rawValue)), ("latency_ms", latency.map { .double($0) } ?? .null),
                            ("origin", .string(origin.rawValue)),
                        ]),
                        "\(record.branch)  new task, \(record.status.rawValue)  (\(record.id)\(latencyText))")
                }
                if let old, old.status != record.status {
                    if origin == .file { recordStatusIfEditedOutside(id: record.id, project: record.project) }
                    emit(
                        .object([
                            ("event", "status"), ("id", .string(record.id.rawValue)), ("branch", .string(record.branch)),
                            ("from", .string(old.status.rawValue)), ("to", .string(record.status.rawValue)),
                            ("latency_ms", latency.map { .double($0) } ?? .null), ("origin", .string(origin.rawValue)),
                        ]),
                        "\(record.branch)  \(old.status.rawValue) → \(record.status.rawValue)  (\(record.id)\(latencyText))")
                }
            case .removed:
                invalidFiles[key] = nil
                if let id = TaskID(validating: key.taskID), let old = graph.tasks.compact(id) {
                    graph.remove(id)
                    if followed { indexChanges.append(GraphIndexes.Change(old: old, new: nil)) }
                    changedIDs.append(id)
                    followPullRequest(of: id, nil, anyFollowed: anyPullRequestFollowed)
                    emit(.object([("event", "removed"), ("id", .string(key.taskID))]), "\(key.taskID)  removed")
                }
            case .invalid(let line, let reason):
                invalidFiles[key] = InvalidTaskFile(path: taskFile(key), line: line, reason: reason)
                let where_ = taskFile(key) + (line.map { ":\($0)" } ?? "")
                context.logger.warn(
                    "watch", "Task file invalid; keeping the last good version",
                    [("path", .string(taskFile(key))), ("line", line.map { .int(Int64($0)) } ?? .null), ("reason", .string(reason))])
                emit(
                    .object([
                        ("event", "invalid"), ("path", .string(taskFile(key))), ("line", line.map { .int(Int64($0)) } ?? .null),
                        ("reason", .string(reason)),
                    ]),
                    "! \(where_): \(reason) (keeping the last good version)")
            }
        }
        if followed { graphIndexes.update(indexChanges, in: graph) } else { graphIndexes.invalidate() }
        guard !changedIDs.isEmpty else { return }
        changedSinceCatchUp?.formUnion(changedIDs)
        announcedReady = announcedReady.filter { graph.tasks.compact($0)?.status == .pending }
        // A batch that changed every task (the start-up read's, each part of it) announces
        // nothing: only a task outside the batch is announced. Its full evaluation cost seconds
        // at 100,000 tasks; into an empty graph, that is known without hashing every id twice more.
        if announcesNothing { return }
        // What the change made ready, with the blocker that released it. A set: the start-up
        // batch holds every task, and searching an array of them per ready task was quadratic.
        let changed = Set(changedIDs)
        if changed.count >= graph.count && graph.tasks.keys.allSatisfy(changed.contains) { return }
        let evaluation = graph.evaluate(changed: changedIDs)
        for id in evaluation.ready where !changed.contains(id) && !announcedReady.contains(id) {
            guard let task = graph.tasks.compact(id) else { continue }
            announcedReady.insert(id)
            let cause =
                task.blockedBy.filter { changed.contains($0) }.compactMap { graph.tasks.compact($0)?.branch }.first.map {
                    "blocker \($0) done"
                }
                ?? "ready"
            emit(
                .object([("event", "ready"), ("id", .string(id.rawValue)), ("branch", .string(task.branch)), ("cause", .string(cause))]),
                "\(task.branch)  ready  (\(cause))")
        }
    }

    /// A status change orange did not write (an editor's save, an agent's `sed -i`, a `git pull`)
    /// gets its history line; one orange wrote already has it, and the check finds nothing to do.
    /// Off the loop's thread: it waits for the task's lock.
    func recordStatusIfEditedOutside(id: TaskID, project: ProjectName) {
        guard options.performsActions else { return }
        let context = self.context
        historyQueue.async {
            let note = StatusChangeNote(by: .human, cause: "TASK.md edited outside orange", at: context.clock.now())
            if (try? context.stores.tasks.recordStatusChangedOutside(id, in: project, note: note)) == true {
                context.logger.info("watch", "Recorded a status edited outside orange", [("task_id", .string(id.rawValue))])
            }
        }
    }

    func publishSnapshot() {
        onSnapshot?(EngineSnapshot(graph: graph, invalidFiles: invalidFiles.sorted { $0.key < $1.key }.map(\.value)))
    }
}
