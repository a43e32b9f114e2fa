@testable import OrangeCore

/// `CycleIndex` found task by task, by ids: the plain construction the product used before the
/// dense one (`CycleIndex+Dense.swift`), kept here as the oracle of the property tests.
extension CycleIndex {
    init(taskByTask graph: TaskGraph) {
        let components = Self.stronglyConnectedComponentsByID(graph)
        var paths: [TaskID: [TaskID]] = [:]
        for component in components {
            let members = Set(component)
            for id in component {
                if let path = graph.cyclePath(from: id, to: id, within: members) { paths[id] = path }
            }
        }
        self.init(components: components, paths: paths)
    }

    /// Tarjan's algorithm over positions in the graph's key order, iterative; the components do
    /// not depend on the order nodes are visited in, and the result is sorted.
    static func stronglyConnectedComponentsByID(_ graph: TaskGraph) -> [[TaskID]] {
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
