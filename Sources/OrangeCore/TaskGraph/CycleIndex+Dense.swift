/// `CycleIndex` over integer places: the components by Tarjan's algorithm on the dense successor
/// lists, and each member's cycle by the same breadth-first search as `TaskGraph.cyclePath`, on
/// the same successor order, so the paths are the same ones (property-tested against
/// `CycleIndex(taskByTask:)` in the tests).
extension CycleIndex {
    init(_ dense: DenseTaskGraph) {
        let placeComponents = Self.stronglyConnectedComponents(dense)
        var componentOf = [Int32](repeating: -1, count: dense.count)
        for (index, component) in placeComponents.enumerated() {
            for place in component { componentOf[Int(place)] = Int32(index) }
        }
        var search = PathSearch(count: dense.count)
        var found: [(first: TaskID, members: [TaskID])] = []
        for (index, component) in placeComponents.enumerated() {
            let members = component.map { dense.ids[Int($0)] }.sorted()
            found.append((members[0], members))
            for place in component {
                let path = search.cycle(through: place, within: Int32(index), componentOf: componentOf, dense)
                if let path { paths[dense.ids[Int(place)]] = path.map { dense.ids[Int($0)] } }
            }
        }
        components = found.sorted { $0.first < $1.first }.map(\.members)
    }

    /// Tarjan's algorithm, iterative so that long chains cannot overflow the stack: each
    /// component with more than one task, or a task waiting for itself.
    private static func stronglyConnectedComponents(_ dense: DenseTaskGraph) -> [[Int32]] {
        let unvisited = -1
        var index = 0
        var indices = [Int](repeating: unvisited, count: dense.count)
        var lowlink = [Int](repeating: 0, count: dense.count)
        var onStack = [Bool](repeating: false, count: dense.count)
        var stack: [Int32] = []
        var work: [(node: Int, next: Int)] = []
        var result: [[Int32]] = []
        for root in 0..<dense.count where indices[root] == unvisited {
            func push(_ node: Int) {
                indices[node] = index
                lowlink[node] = index
                index += 1
                stack.append(Int32(node))
                onStack[node] = true
                work.append((node, 0))
            }
            push(root)
            while let (node, next) = work.last {
                let successors = dense.successors(of: node)
                if next < successors.count {
                    let successor = Int(successors[successors.startIndex + next])
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
                    var component: [Int32] = []
                    while let member = stack.popLast() {
                        onStack[Int(member)] = false
                        component.append(member)
                        if Int(member) == node { break }
                    }
                    if component.count > 1 || successors.contains(Int32(node)) { result.append(component) }
                }
            }
        }
        return result
    }

    /// `TaskGraph.cyclePath(from: id, to: id, within: component)` on places, with its marks
    /// kept between searches and cleared after each.
    private struct PathSearch {
        private var previous: [Int32]
        private var marked: [Int32] = []
        private var queue: [Int32] = []

        init(count: Int) { previous = [Int32](repeating: -1, count: count) }

        mutating func cycle(through start: Int32, within component: Int32, componentOf: [Int32], _ dense: DenseTaskGraph) -> [Int32]? {
            defer {
                for place in marked { previous[Int(place)] = -1 }
                marked.removeAll(keepingCapacity: true)
                queue.removeAll(keepingCapacity: true)
            }
            let goal = start
            for next in dense.successors(of: Int(start)) where componentOf[Int(next)] == component {
                if next == goal { return [start, goal] }
                if previous[Int(next)] == -1 { mark(next, from: start) }
            }
            var head = 0
            while head < queue.count {
                let node = queue[head]
                head += 1
                for next in dense.successors(of: Int(node)) where componentOf[Int(next)] == component {
                    if next == goal {
                        var path = [goal, node]
                        var cursor = node
                        while previous[Int(cursor)] != -1, cursor != start {
                            cursor = previous[Int(cursor)]
                            path.append(cursor)
                        }
                        return path.reversed()
                    }
                    if previous[Int(next)] == -1 && next != start { mark(next, from: node) }
                }
            }
            return nil
        }

        private mutating func mark(_ place: Int32, from node: Int32) {
            previous[Int(place)] = node
            marked.append(place)
            queue.append(place)
        }
    }
}
