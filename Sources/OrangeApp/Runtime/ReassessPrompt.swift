import OrangeCore

/// Gathers what a sequential parent's reassess turn names: the children that finished (and what
/// their merge changed, from `git diff --stat` in the parent's workspace) and the children left.
struct ReassessPrompt {
    let context: AppContext

    func text(for parent: TaskRecord, turn: ReassessTurn, workspacePath: String) throws -> String {
        let graph = TaskGraph(try context.stores.tasks.scan(project: parent.project).tasks)
        let finished = turn.finished.compactMap { graph[$0] }
        var changes: [TaskID: String] = [:]
        for child in finished {
            let history = (try? context.stores.tasks.history(of: child.id, in: child.project)) ?? []
            guard let merge = history.last(where: { $0.type == "task.merged" }),
                let commit = merge.json["commit_hash"]?.stringValue,
                let base = merge.json["base"]?.stringValue
            else { continue }
            changes[child.id] = context.processes.git.diffStat(workspacePath, from: base, to: commit)
        }
        let remaining = graph.children(of: parent.id).compactMap { graph[$0] }.filter { !$0.status.isTerminal }
        return Harnesses.reassessPrompt(for: parent, finished: finished, changes: changes, remaining: remaining)
    }
}
