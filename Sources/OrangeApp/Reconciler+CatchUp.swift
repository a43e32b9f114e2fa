import OrangeCore
import OrangeSystem

/// The per-task steps of a full pass (the start-up catch-up, the sweeps, `watch --once`).
///
/// On the engine's graph (the start-up catch-up) no whole record is built for every task: at
/// 100,000 tasks the copies of every record, and a locked re-read of every TASK.md newer than its
/// history, were most of the start-up (docs/performance.md, section 5). Each step takes the few
/// tasks it can act on from the compact records.
extension Reconciler {
    /// The tasks that may have a dead agent or an orphan claim: only a working or clarification
    /// task runs one (`DeadAgents` and `OrphanClaims` look at no other status).
    func agentTasks(_ tasks: [TaskRecord]?, graph: TaskGraph) -> [TaskRecord] {
        let runsAnAgent = { (status: TaskStatus) in status == .working || status == .clarification }
        guard let tasks else { return graph.tasks.compactValues.filterInPlace { runsAnAgent($0.pointee.status) }.map(\.record) }
        return tasks.filter { runsAnAgent($0.status) }
    }

    /// Finishes the status writes a killed process left half done and adds the history line of
    /// every status changed while no engine watched, for every task in scope; spread over the
    /// cores (each task costs a few file checks).
    ///
    /// On the engine's graph, a task whose history already ends with the status the graph holds
    /// is left without taking its lock and reading its TASK.md again: the graph was read from
    /// that file just now, and a later edit is an event the engine records (`apply`). Most TASK.md
    /// files are newer than their history (any edit that keeps the status), so this was a locked
    /// read and parse of most of the tree.
    ///
    /// `only` (on the engine's graph): the tasks to look at, the start-up read having found the
    /// others' history in agreement (`StartUpHistoryCheck`); nil: every task.
    func recordStatusesChangedOutside(_ tasks: [TaskRecord]?, graph: TaskGraph, project: ProjectName?, only: [TaskID]? = nil) throws {
        let named = tasks == nil ? only?.compactMap { graph.tasks.compact($0) } : nil
        let records = tasks == nil && named == nil ? graph.tasks.compactValues : ChunkedArray()
        let count = tasks?.count ?? named?.count ?? records.count
        let target = { @Sendable (index: Int) -> (id: TaskID, project: ProjectName, status: TaskStatus) in
            if let tasks { return (tasks[index].id, tasks[index].project, tasks[index].status) }
            if let named { return (named[index].id, named[index].project, named[index].status) }
            return (records[index].id, records[index].project, records[index].status)
        }
        let (store, onEngineGraph) = (context.stores.tasks, tasks == nil)
        let note = StatusChangeNote(by: .human, cause: "TASK.md edited outside orange", at: context.clock.now())
        // One open project folder per project, not three whole paths per task (docs/performance.md, section 5).
        var projects = Set<ProjectName>()
        if let project { projects.insert(project) } else { for index in 0..<count { projects.insert(target(index).project) } }
        let checks = Dictionary(uniqueKeysWithValues: projects.map { ($0, store.folderChecks(in: $0)) })
        let failures = ParallelMap.map(count: count) { index -> (any Error)? in
            let task = target(index)
            guard project == nil || task.project == project, let folder = checks[task.project] else { return nil }
            do {
                guard try folder.recoverInterruptedWriteThenCheckNewer(task.id) else { return nil }
                if onEngineGraph, folder.lastRecordedStatus(task.id) == task.status {
                    return nil
                }
                try store.recordStatusChangedOutside(task.id, in: task.project, note: note)
                return nil
            } catch {
                return error
            }
        }
        if let failure = failures.lazy.compactMap({ $0 }).first { throw failure }
    }
}
