import OrangeCore

/// The engine's graph with the indexes it keeps beside it (`GraphIndexes`), as a reconcile or a
/// read decides on it: neither walks the whole graph for its cycles or one-sided links.
struct IndexedGraph: Sendable {
    var graph: TaskGraph
    var indexes: GraphIndexes
    /// For the start-up catch-up: the only tasks whose history it looks at, the start-up read
    /// having looked at the others' (nil: every task).
    var historyToCheck: [TaskID]?
    /// The engine's `graphGeneration` of `graph`: indexes brought up to date for it elsewhere
    /// are the engine's own as long as its graph has not changed since (`RebuiltIndexes`).
    var generation: UInt64 = 0

    var view: GraphView { GraphView(graph: graph, cycles: indexes.cycles) }
}
