import OrangeCore
import OrangeTestSupport
import Testing

/// The whole-graph indexing on integer places (`CycleIndex(graph:)`, `GraphIndexes(graph:)`)
/// against the task-by-task construction it replaced, on random graphs with what a hand edit can
/// leave: cycles, self-loops, missing and repeated ids, one-sided parent links, other projects,
/// holds, equal creation times and none.
@Suite struct DenseIndexingPropertyTests {
    private static let other = ProjectName(validating: "q")!

    private func randomGraph(_ n: Int, _ rng: inout SeededRandom) -> TaskGraph {
        func someID() -> TaskID { tid("t\(Int.random(in: 0..<(n + 3), using: &rng))") }
        var graph = TaskGraph()
        for i in 0..<n {
            let status = [TaskStatus.pending, .pending, .done, .done, .delegated, .working, .cancelled].randomElement(using: &rng)!
            var record = task("t\(i)", status, at: Int64.random(in: 0..<Int64(max(1, n / 3)), using: &rng))
            if Int.random(in: 0..<10, using: &rng) == 0 { record.createdAt = nil }
            if Int.random(in: 0..<12, using: &rng) == 0 { record.project = Self.other }
            for _ in 0..<Int.random(in: 0...3, using: &rng) { record.blockedBy.append(someID()) }
            if Int.random(in: 0..<3, using: &rng) == 0 { record.parent = someID() }
            if Int.random(in: 0..<4, using: &rng) == 0 { record.children = (0..<Int.random(in: 1...3, using: &rng)).map { _ in someID() } }
            if Int.random(in: 0..<10, using: &rng) == 0 { record.hold = "wait" }
            if Int.random(in: 0..<8, using: &rng) == 0 { record.workspace = "w" }
            if Int.random(in: 0..<8, using: &rng) == 0 { record.tmuxSession = "s" }
            record.harness = ["claude", "pi"].randomElement(using: &rng)!
            record.lastError = [nil, "e1"].randomElement(using: &rng)!
            graph.upsert(record)
        }
        // Some removed: the table's places are then filled from its end.
        for _ in 0..<Int.random(in: 0...(n / 10), using: &rng) { graph.remove(someID()) }
        return graph
    }

    @Test(arguments: Array(UInt64(1)...24))
    func wholeGraphIndexingEqualsTheTaskByTaskOne(seed: UInt64) {
        var rng = SeededRandom(state: FuzzBudget.seed(default: seed))
        for round in 0..<FuzzBudget.iterations(default: 20) {
            let n = [1, 5, 20, 80, 300][Int.random(in: 0..<5, using: &rng)]
            let graph = randomGraph(n, &rng)
            let context = "seed \(seed), round \(round), \(n) tasks"
            let (dense, oracle) = (CycleIndex(graph: graph), CycleIndex(taskByTask: graph))
            #expect(dense.components == oracle.components, "\(context)")
            for i in 0..<(n + 3) {
                #expect(dense.path(through: tid("t\(i)")) == oracle.path(through: tid("t\(i)")), "\(context): t\(i)")
            }
            let (indexes, expected) = (GraphIndexes(graph: graph), GraphIndexes(taskByTask: graph, cycles: CycleIndex(taskByTask: graph)))
            #expect(indexes.readyTasks == expected.readyTasks, "\(context)")
            #expect(indexes.readyTasks == graph.readyTasks(cycles: oracle), "\(context)")
            #expect(indexes.linkProblems == expected.linkProblems, "\(context)")
            #expect(indexes.linkProblems == graph.linkProblems(), "\(context)")
            #expect(indexes.delegated == expected.delegated, "\(context)")
            #expect(indexes.holdingAgentResources == expected.holdingAgentResources, "\(context)")
            #expect(Set(indexes.readyGroups) == Set(expected.readyGroups), "\(context)")
            for group in expected.readyGroups {
                for reason in [nil, "e1"] as [String?] {
                    #expect(indexes.readyTasks(in: group, except: reason) == expected.readyTasks(in: group, except: reason), "\(context)")
                }
            }
        }
    }

    /// A long chain closed into one cycle: every member's path, found by the same search.
    @Test func aLongCycleHasTheSamePathThroughEveryMember() {
        let n = 400
        let graph = TaskGraph((0..<n).map { task("t\($0)", blockedBy: ["t\(($0 + 1) % n)"], at: Int64($0)) })
        let (dense, oracle) = (CycleIndex(graph: graph), CycleIndex(taskByTask: graph))
        #expect(dense.components == oracle.components)
        #expect(dense.components.first?.count == n)
        for i in stride(from: 0, to: n, by: 37) { #expect(dense.path(through: tid("t\(i)")) == oracle.path(through: tid("t\(i)"))) }
    }
}
