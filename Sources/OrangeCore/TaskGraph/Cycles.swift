/// The dependency cycles of a graph, over `blocked_by` edges (task → blocker) and delegation
/// edges (parent → child) together: a delegated parent waits for its children, so a child
/// blocked by its own ancestor can never finish.
public struct CycleIndex: Sendable {
    /// For each task on a cycle, the cycle through it, starting and ending at that task.
    var paths: [TaskID: [TaskID]] = [:]
    /// Each strongly connected component with more than one task (or a self-loop).
    public internal(set) var components: [[TaskID]] = []

    /// Over the graph's integer places (`CycleIndex+Dense.swift`): every engine start and every
    /// `task list` computes it over the whole graph.
    public init(graph: TaskGraph) {
        self.init(DenseTaskGraph(graph))
    }

    /// An index found some other way (the tests' task-by-task oracle).
    init(components: [[TaskID]], paths: [TaskID: [TaskID]]) {
        (self.components, self.paths) = (components, paths)
    }

    public func path(through id: TaskID) -> [TaskID]? { paths[id] }
    public var isEmpty: Bool { components.isEmpty }
}

extension TaskGraph {
    /// The tasks `id` waits for: its blockers, and (as a parent) its children. Only existing tasks.
    public func successors(of id: TaskID) -> [TaskID] {
        guard let task = tasks.compact(id) else { return [] }
        var result = task.blockedBy.filter { tasks.contains($0) }
        for child in children(of: id) where tasks.contains(child) && !result.contains(child) { result.append(child) }
        return result
    }

    /// A shortest wait-for path from `start` to `goal` (breadth first), optionally restricted to
    /// a set of tasks; `[start, …, goal]`, or nil when there is none.
    public func cyclePath(from start: TaskID, to goal: TaskID, within allowed: Set<TaskID>? = nil) -> [TaskID]? {
        var previous: [TaskID: TaskID] = [:]
        var queue: [TaskID] = []
        var head = 0
        for next in successors(of: start) where allowed?.contains(next) ?? true {
            if next == goal { return [start, goal] }
            if previous[next] == nil { previous[next] = start; queue.append(next) }
        }
        while head < queue.count {
            let node = queue[head]
            head += 1
            for next in successors(of: node) where allowed?.contains(next) ?? true {
                if next == goal {
                    var path = [goal, node]
                    var cursor = node
                    while let p = previous[cursor], cursor != start { path.append(p); cursor = p }
                    return path.reversed()
                }
                if previous[next] == nil && next != start {
                    previous[next] = node
                    queue.append(next)
                }
            }
        }
        return nil
    }
}

extension TaskGraph {
    /// The cycle that one of `edges` closes, or nil. The edges must already be in this graph;
    /// each is `waiter` waiting for `waitsFor` (a blocker, or a parent's child). An edge closes a
    /// cycle when there is a path from `waitsFor` back to `waiter`; the cycle is returned as
    /// `[waiter, waitsFor, …, waiter]`. A cycle the graph has without these edges (one made by
    /// hand) is not one they close, so a task sitting on it can still take an unrelated edge.
    public func cycleClosed(byAnyOf edges: [(waiter: TaskID, waitsFor: TaskID)]) -> [TaskID]? {
        for edge in edges {
            if edge.waiter == edge.waitsFor { return [edge.waiter, edge.waiter] }
            if let back = cyclePath(from: edge.waitsFor, to: edge.waiter) { return [edge.waiter] + back }
        }
        return nil
    }
}

/// `cycle: a1 -> b2 -> c3 -> a1`
public func formatCycle(_ path: [TaskID]) -> String {
    "cycle: " + path.map(\.rawValue).joined(separator: " -> ")
}
