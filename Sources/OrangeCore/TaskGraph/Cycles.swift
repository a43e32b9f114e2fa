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

    /// The same index found task by task, by ids: the plain construction, kept as the oracle of
    /// the property tests.
    public init(taskByTask graph: TaskGraph) {
        components = Self.stronglyConnectedComponents(graph)
        for component in components {
            let members = Set(component)
            for id in component {
                if let path = graph.cyclePath(from: id, to: id, within: members) { paths[id] = path }
            }
        }
    }

    public func path(through id: TaskID) -> [TaskID]? { paths[id] }
    public var isEmpty: Bool { components.isEmpty }

    /// Tarjan's algorithm, iterative so that long chains (thousands of levels) cannot overflow
    /// the stack. It runs on integer positions rather than ids: every `task list` and every
    /// engine start computes it over the whole graph, and hashing ids at each step was most of
    /// its cost. The components do not depend on the order nodes are visited in; the result is
    /// sorted.
    static func stronglyConnectedComponents(_ graph: TaskGraph) -> [[TaskID]] {
        let ids = Array(graph.tasks.keys)
        var position: [TaskID: Int] = [:]
        position.reserveCapacity(ids.count)
        for (i, id) in ids.enumerated() { position[id] = i }
        let successors: [[Int]] = ids.map { id in graph.successors(of: id).compactMap { position[$0] } }

        let unvisited = -1
        var index = 0
        var indices = [Int](repeating: unvisited, count: ids.count)
        var lowlink = [Int](repeating: 0, count: ids.count)
        var onStack = [Bool](repeating: false, count: ids.count)
        var stack: [Int] = []
        var work: [(node: Int, next: Int)] = []
        var result: [[TaskID]] = []

        for root in ids.indices where indices[root] == unvisited {
            func push(_ node: Int) {
                indices[node] = index
                lowlink[node] = index
                index += 1
                stack.append(node)
                onStack[node] = true
                work.append((node, 0))
            }
            push(root)
            while let (node, next) = work.last {
                if next < successors[node].count {
                    let successor = successors[node][next]
                    work[work.count - 1].next += 1
                    if indices[successor] == unvisited {
                        push(successor)
                    } else if onStack[successor] {
                        lowlink[node] = min(lowlink[node], indices[successor])
                    }
                    continue
                }
                work.removeLast()
                if let parent = work.last?.node { lowlink[parent] = min(lowlink[parent], lowlink[node]) }
                if lowlink[node] == indices[node] {
                    var component: [TaskID] = []
                    while let member = stack.popLast() {
                        onStack[member] = false
                        component.append(ids[member])
                        if member == node { break }
                    }
                    let selfLoop = component.count == 1 && successors[node].contains(node)
                    if component.count > 1 || selfLoop { result.append(component.sorted()) }
                }
            }
        }
        return result.sorted { $0[0] < $1[0] }
    }
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
