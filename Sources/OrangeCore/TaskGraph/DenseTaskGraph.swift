/// One pass over a graph's table into integer places (a task's place in `TaskTable.compactValues`):
/// each task's wait-for edges (`TaskGraph.successors(of:)`, in the same order) and the few fields
/// the from-scratch indexing reads, in dense arrays.
///
/// `CycleIndex(graph:)` and `GraphIndexes(graph:)` index every task at once (the engine's start-up
/// batch). Asked task by task, each step hashed a 21-character id several times and copied whole
/// records (a second or more at 100,000 tasks, docs/performance.md section 5); here each edge's id
/// is hashed once and the rest is array reads. Property-tested against the task-by-task
/// construction (the tests' `CycleIndex(taskByTask:)`, `TaskGraph.readiness`, `TaskGraph.linkProblems()`).
struct DenseTaskGraph {
    let ids: [TaskID]
    let statuses: [TaskStatus]
    let projects: [ProjectName]
    /// `createdAt` in milliseconds, `Int64.min` when unset (the creation order's key).
    let times: [Int64]
    /// How many ids each task's `blocked_by` names (some may be missing from the graph).
    let blockedByCount: [Int32]
    /// The places of each task's blockers that exist, in `blocked_by` order.
    private let blockers: Adjacency
    /// The places of each task's `children` that exist, in list order.
    private let listed: Adjacency
    /// The place of each task's `parent`, -1 when it has none or it is missing.
    let parentOf: [Int32]
    /// The tasks whose `parent` names each task, in place order.
    private let named: Adjacency
    /// `TaskGraph.successors(of:)` of each task, in its order.
    private let successorLists: Adjacency

    var count: Int { ids.count }

    init(_ graph: TaskGraph) {
        let table = graph.tasks
        let count = table.count
        var ids: [TaskID] = []
        var statuses: [TaskStatus] = []
        var projects: [ProjectName] = []
        ids.reserveCapacity(count)
        statuses.reserveCapacity(count)
        projects.reserveCapacity(count)
        var times = [Int64](repeating: Int64.min, count: count)
        var blockedByCount = [Int32](repeating: 0, count: count)
        var parentOf = [Int32](repeating: -1, count: count)
        var blockers = Adjacency.Builder(count: count)
        var listed = Adjacency.Builder(count: count)
        table.compactValues.forEachInPlace { place, record in
            ids.append(record.pointee.id)
            statuses.append(record.pointee.status)
            projects.append(record.pointee.project)
            if let created = record.pointee.createdAt { times[place] = created.millisecondsSinceEpoch }
            if let parent = record.pointee.parent, let position = table.position(of: parent) { parentOf[place] = Int32(position) }
            blockedByCount[place] = Int32(record.pointee.blockedBy.count)
            for blocker in record.pointee.blockedBy {
                if let position = table.position(of: blocker) { blockers.append(Int32(position)) }
            }
            blockers.endList()
            for child in record.pointee.children {
                if let position = table.position(of: child) { listed.append(Int32(position)) }
            }
            listed.endList()
        }
        let blockerLists = blockers.build(), listedLists = listed.build()
        let namedLists = Adjacency(grouping: parentOf)
        // `successors(of:)`: the blockers that exist, then `children(of:)` (the list, then those
        // naming the task but not listed, in creation order) less those already there.
        var successors = Adjacency.Builder(count: count)
        var extra: [Int32] = []
        for place in 0..<count {
            let start = successors.pendingCount
            for blocker in blockerLists[place] { successors.append(blocker) }
            for child in listedLists[place] where !successors.pendingContains(child, from: start) { successors.append(child) }
            let naming = namedLists[place]
            if !naming.isEmpty {
                extra.removeAll(keepingCapacity: true)
                for child in naming where !listedLists[place].contains(child) { extra.append(child) }
                extra.sort {
                    times[Int($0)] != times[Int($1)] ? times[Int($0)] < times[Int($1)] : ids[Int($0)].rawValue < ids[Int($1)].rawValue
                }
                for child in extra where !successors.pendingContains(child, from: start) { successors.append(child) }
            }
            successors.endList()
        }
        (self.ids, self.statuses, self.projects, self.times, self.blockedByCount) = (ids, statuses, projects, times, blockedByCount)
        (self.blockers, self.listed, self.parentOf, self.named) = (blockerLists, listedLists, parentOf, namedLists)
        successorLists = successors.build()
    }

    func successors(of place: Int) -> ArraySlice<Int32> { successorLists[place] }
    func blockers(of place: Int) -> ArraySlice<Int32> { blockers[place] }

    /// Whether `TaskGraph.linkProblems(ownedBy:)` of this task is not empty: a task naming it as
    /// parent that it does not list, or a listed child naming another parent (or none).
    func ownsLinkProblems(_ place: Int) -> Bool {
        let children = listed[place]
        return named[place].contains { !children.contains($0) } || children.contains { parentOf[Int($0)] != Int32(place) }
    }

    /// Lists of places for every task, in one array.
    struct Adjacency {
        private var starts: [Int32]
        private var items: [Int32]

        subscript(place: Int) -> ArraySlice<Int32> { items[Int(starts[place])..<Int(starts[place + 1])] }

        /// For each place, the places whose `owners` entry names it (in place order).
        init(grouping owners: [Int32]) {
            var starts = [Int32](repeating: 0, count: owners.count + 1)
            for owner in owners where owner >= 0 { starts[Int(owner) + 1] += 1 }
            for place in 0..<owners.count { starts[place + 1] += starts[place] }
            var next = starts
            var items = [Int32](repeating: 0, count: Int(starts[owners.count]))
            for (place, owner) in owners.enumerated() where owner >= 0 {
                items[Int(next[Int(owner)])] = Int32(place)
                next[Int(owner)] += 1
            }
            (self.starts, self.items) = (starts, items)
        }

        fileprivate init(starts: [Int32], items: [Int32]) { (self.starts, self.items) = (starts, items) }

        /// Fills the lists in place order, one `endList()` after each.
        struct Builder {
            private var starts: [Int32] = [0]
            private var items: [Int32] = []

            init(count: Int) { starts.reserveCapacity(count + 1) }

            var pendingCount: Int { items.count }
            mutating func append(_ place: Int32) { items.append(place) }
            mutating func endList() { starts.append(Int32(items.count)) }
            func pendingContains(_ place: Int32, from start: Int) -> Bool { items[start...].contains(place) }
            func build() -> Adjacency { Adjacency(starts: starts, items: items) }
        }
    }
}
