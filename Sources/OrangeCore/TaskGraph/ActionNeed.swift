extension TaskGraph {
    /// Whether a change to `changed` can give the reconciler anything to do: a parent to
    /// complete, a task that became ready, a workspace to release, a link to repair, a spawn to
    /// finish. The engine asks this of its own graph before it pays for a reconcile (which reads
    /// every task from disk), so an edit that moves nothing (a description, a review status with
    /// no dependents) costs no scan. It errs on the side of yes; the periodic sweep runs a full
    /// reconcile regardless.
    public func changeMayNeedAction(_ changed: [TaskID]) -> Bool {
        for id in changed {
            // Gone: its workspace, its parent's progress and its dependents may all move.
            guard let task = tasks.compact(id) else { return true }
            if task.parent != nil || !task.children.isEmpty || !parents(of: id).isEmpty { return true }
            if task.workspace != nil && !task.status.hasAgent { return true }
            if task.status == .working && task.workspace == nil { return true }
        }
        let evaluation = evaluate(changed: changed)
        return !evaluation.completions.isEmpty || !evaluation.ready.isEmpty
    }
}
