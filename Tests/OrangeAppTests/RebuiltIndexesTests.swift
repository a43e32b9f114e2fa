import OrangeCore
import OrangeTestSupport
import Testing

@testable import OrangeApp

/// The indexes a large batch left out of date are built on the worker and taken by the loop for
/// the very graph they were built for, never for one that changed since.
struct RebuiltIndexesTests {
    let world = InMemoryWorld()

    func graph() -> TaskGraph {
        TaskGraph([
            world.task("a1", status: .done), world.task("b2", blockedBy: ["a1"]), world.task("c3", blockedBy: ["d4"]),
            world.task("d4", blockedBy: ["c3"]), world.task("p5", status: .delegated, children: ["k6"]),
            world.task("k6", parent: "p5"), world.task("k7", parent: "p5"),
        ])
    }

    /// The engine's indexes after a batch too large to follow: out of date.
    func outOfDate() -> GraphIndexes {
        var indexes = GraphIndexes(graph: TaskGraph())
        indexes.invalidate()
        return indexes
    }

    func expectSame(_ indexes: GraphIndexes, as expected: GraphIndexes) {
        #expect(indexes.isCurrent)
        #expect(indexes.readyTasks == expected.readyTasks)
        #expect(indexes.linkProblems == expected.linkProblems)
        #expect(indexes.delegated == expected.delegated)
        #expect(
            indexes.cycles.components.map { $0.sorted() }.sorted { $0.lexicographicallyPrecedes($1) }
                == expected.cycles.components.map { $0.sorted() }.sorted { $0.lexicographicallyPrecedes($1) })
        #expect(!indexes.cycles.isEmpty)
    }

    @Test func theWorkerBuildsWhatIsOutOfDateAndTheLoopTakesItForTheSameGraph() {
        let graph = graph()
        let expected = GraphIndexes(graph: graph)
        let rebuilt = RebuiltIndexes()
        let given = IndexedGraph(graph: graph, indexes: outOfDate(), generation: 7)
        let decided = rebuilt.bringUpToDate(given)
        expectSame(decided.indexes, as: expected)
        // The loop's graph changed since: nothing to take, and the copy is dropped.
        #expect(rebuilt.take(for: 8) == nil)
        #expect(rebuilt.take(for: 7) == nil, "dropped with the look for another graph")
        // Unchanged: taken, once.
        _ = rebuilt.bringUpToDate(given)
        var loops = outOfDate()
        if let built = rebuilt.take(for: 7) { loops.take(rebuilt: built) }
        expectSame(loops, as: expected)
        #expect(rebuilt.take(for: 7) == nil, "taken once")
    }

    @Test func indexesAlreadyUpToDateAreNotBuiltAgain() {
        let graph = graph()
        let rebuilt = RebuiltIndexes()
        let decided = rebuilt.bringUpToDate(IndexedGraph(graph: graph, indexes: GraphIndexes(graph: graph), generation: 3))
        #expect(decided.indexes.isCurrent)
        #expect(rebuilt.take(for: 3) == nil)
    }
}
