/// What a change to the graph makes due: parents to auto-complete (in cascade order) and the
/// tasks that are now ready.
public struct GraphEvaluation: Hashable, Sendable {
    /// Delegated tasks whose children are all done, children before parents.
    public var completions: [TaskID]
    /// Delegated hierarchical parents whose children are all done: their branch holds the
    /// aggregate of their sub-tree, so they go to review instead of done (no cascade upward).
    public var reviews: [TaskID] = []
    /// Ready tasks among those the change could affect (all ready tasks for a full
    /// evaluation), in creation order, with completions already applied.
    public var ready: [TaskID]
    /// The tasks whose readiness was re-evaluated (every task for a full evaluation).
    public var affected: Set<TaskID>
    /// How many tasks the evaluation looked at: bounded by the change's neighbourhood, not by
    /// the size of the graph (tests check this).
    public var visited: Int
}

extension TaskGraph {
    /// Evaluates the part of the graph that a change to `changed` can affect; `nil` evaluates
    /// everything. Both give the same answer for the tasks they cover (property-tested).
    ///
    /// A change can (1) complete the changed task itself if it is delegated, or its parents, up
    /// the delegation chain; (2) change the readiness of the changed tasks and of their
    /// dependents, and of the dependents of every task completed in (1).
    /// With `readiness` false, only the completions and reviews are computed (`ready` and
    /// `affected` stay empty): a full readiness pass is most of a full evaluation's cost.
    public func evaluate(
        changed: [TaskID]?, cycles: CycleIndex? = nil, readiness: Bool = true, aggregates: (TaskID) -> Bool = { _ in false }
    ) -> GraphEvaluation {
        var graph = self
        var visited = 0
        var completions: [TaskID] = []
        var reviews: [TaskID] = []
        var candidates: [TaskID]
        if let changed {
            candidates = changed.flatMap { [$0] + parents(of: $0) }
        } else {
            candidates = tasks.compactValues.filterInPlace { $0.pointee.status == .delegated }.map(\.id).sorted()
        }
        var head = 0
        while head < candidates.count {
            let id = candidates[head]
            head += 1
            visited += 1
            guard let task = graph.tasks.compact(id), task.status == .delegated else { continue }
            if let cycles, cycles.path(through: id) != nil { continue }
            let progress = graph.progress(of: id)
            visited += progress.total
            guard progress.isComplete else { continue }
            if aggregates(id) {
                if !reviews.contains(id) { reviews.append(id) }
                continue
            }
            var done = task
            done.status = .done
            graph.upsert(done)
            completions.append(id)
            // Re-check every parent, even one looked at before this child completed.
            candidates.append(contentsOf: graph.parents(of: id))
        }

        let readyTasks: [TaskID]
        var affected: Set<TaskID> = []
        if !readiness {
            readyTasks = []
        } else if let changed {
            affected = Set(changed)
            for id in changed + completions {
                for dependent in graph.dependents(of: id) { affected.insert(dependent) }
            }
            visited += affected.count
            readyTasks = graph.inCreationOrder(affected.filter { graph.readiness(of: $0, cycles: cycles).isReady })
        } else {
            visited += graph.count
            affected = Set(graph.tasks.keys)
            readyTasks = graph.readyTasks(cycles: cycles)
        }
        return GraphEvaluation(completions: completions, reviews: reviews, ready: readyTasks, affected: affected, visited: visited)
    }
}
