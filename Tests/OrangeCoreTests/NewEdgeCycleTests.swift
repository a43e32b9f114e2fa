import OrangeCore
import OrangeTestSupport
import Testing

/// The cycle rule for edits: only an edge the edit adds can be refused, and only when it closes
/// a cycle (a path from what it waits for back to the waiter). A cycle already in the graph,
/// made by hand, does not stop a task on it from taking an unrelated edge.
@Suite struct NewEdgeCycleTests {
    /// a and b wait for each other (a hand edit); c and d are unrelated; e waits for a.
    let handMade = TaskGraph([
        task("a", blockedBy: ["b"]), task("b", blockedBy: ["a"]), task("c"), task("d"), task("e", blockedBy: ["a"]),
    ])

    @Test func aTaskOnAnOldCycleCanTakeABlockerThatClosesNoNewCycle() throws {
        try handMade.validate(task("a", blockedBy: ["b", "c"]), previous: task("a", blockedBy: ["b"]))
        // Several at once, and a new task blocked by a task on the cycle.
        try handMade.validate(task("a", blockedBy: ["b", "c", "d"]), previous: task("a", blockedBy: ["b"]))
        try handMade.validate(task("n", blockedBy: ["a"]))
        // The old cycle is still there: the rule does not hide it.
        #expect(CycleIndex(graph: handMade).components == [[tid("a"), tid("b")]])
    }

    @Test func aTaskOnAnOldCycleIsStillRefusedAnEdgeThatClosesANewOne() {
        // e waits for a; a taking e as a blocker closes a -> e -> a, a cycle that did not exist.
        #expect(throws: GraphValidationError.cycle([tid("a"), tid("e"), tid("a")])) {
            try handMade.validate(task("a", blockedBy: ["b", "e"]), previous: task("a", blockedBy: ["b"]))
        }
    }

    @Test func anUnchangedEdgeOnAnOldCycleIsNotCheckedAgain() throws {
        // An edit that keeps blocked_by as it is (say, the description) is not refused.
        try handMade.validate(task("b", blockedBy: ["a"], at: 9), previous: task("b", blockedBy: ["a"]))
    }

    @Test func theSecondOfTwoRacingEdgesIsRefusedOnceTheFirstIsWritten() throws {
        // What the graph lock makes of `update a --blocked-by b & update b --blocked-by a`: the
        // second validation reads the graph with the first edge written.
        var graph = TaskGraph([task("a"), task("b")])
        try graph.validate(task("a", blockedBy: ["b"]), previous: task("a"))
        try graph.validate(task("b", blockedBy: ["a"]), previous: task("b"))  // alone, each is fine
        graph.upsert(task("a", blockedBy: ["b"]))
        #expect(throws: GraphValidationError.cycle([tid("b"), tid("a"), tid("b")])) {
            try graph.validate(task("b", blockedBy: ["a"]), previous: task("b"))
        }
    }

    @Test func aNewParentEdgeCanCloseTheCycle() {
        // x is created under p and blocked by b, while b waits for p: p -> x -> b -> p.
        let graph = TaskGraph([task("p"), task("b", blockedBy: ["p"])])
        #expect(throws: GraphValidationError.cycle([tid("x"), tid("b"), tid("p"), tid("x")])) {
            try graph.validate(task("x", blockedBy: ["b"], parent: "p"))
        }
        // Edges given directly: only those listed are checked.
        var candidate = graph
        candidate.upsert(task("x", blockedBy: ["b"], parent: "p"))
        #expect(candidate.cycleClosed(byAnyOf: [(waiter: tid("p"), waitsFor: tid("x"))]) == [tid("p"), tid("x"), tid("b"), tid("p")])
        #expect(candidate.cycleClosed(byAnyOf: [(waiter: tid("b"), waitsFor: tid("p"))]) == [tid("b"), tid("p"), tid("x"), tid("b")])
        #expect(
            TaskGraph([task("a", blockedBy: ["b"]), task("b", blockedBy: ["a"])])
                .cycleClosed(byAnyOf: []) == nil)
    }

    /// Oracle: an edge closes a cycle exactly when, with it added, both its ends are in one
    /// strongly connected component; without it they were not (or it was already there).
    @Test(arguments: [21, 22, 23, 24, 25])
    func refusedExactlyWhenTheNewEdgeLiesOnACycle(seed: UInt64) throws {
        var rng = SeededRandom(state: seed)
        for _ in 0..<200 {
            let n = 8
            var records = (0..<n).map { task("t\($0)", at: Int64($0)) }
            for _ in 0..<Int.random(in: 0...12, using: &rng) {  // random edges, hand-made cycles included
                let a = Int.random(in: 0..<n, using: &rng), b = Int.random(in: 0..<n, using: &rng)
                if a != b && !records[a].blockedBy.contains(tid("t\(b)")) { records[a].blockedBy.append(tid("t\(b)")) }
            }
            let graph = TaskGraph(records)
            let u = Int.random(in: 0..<n, using: &rng)
            var v = Int.random(in: 0..<n, using: &rng)
            if v == u { v = (u + 1) % n }
            let previous = records[u]
            guard !previous.blockedBy.contains(tid("t\(v)")) else { continue }
            var edited = previous
            edited.blockedBy.append(tid("t\(v)"))
            var candidate = graph
            candidate.upsert(edited)
            let onCycle = CycleIndex(graph: candidate).components.contains { $0.contains(tid("t\(u)")) && $0.contains(tid("t\(v)")) }
            do {
                try graph.validate(edited, previous: previous)
                #expect(!onCycle, "t\(u) -> t\(v) closes a cycle but was accepted")
            } catch .cycle(let path) {
                #expect(onCycle, "t\(u) -> t\(v) refused with \(path)")
                #expect(path.first == tid("t\(u)") && path.dropFirst().first == tid("t\(v)") && path.last == tid("t\(u)"))
                for (a, b) in zip(path, path.dropFirst()) { #expect(candidate.successors(of: a).contains(b)) }
            } catch {
                Issue.record("unexpected \(error)")
            }
        }
    }
}
