import OrangeCore
import Testing

/// Sizes far beyond real use, so that neither the stack nor a quadratic step can give out.
@Suite struct GraphScaleTests {
    private func id(_ text: String) -> TaskID { TaskID(validating: text)! }
    private let coffee = ProjectName(validating: "coffee")!

    /// A delegation chain C0 → C1 → … → C(n-1), every link written on both sides.
    private func chain(_ n: Int, leaf: TaskStatus) -> TaskGraph {
        TaskGraph(
            (0..<n).map { i in
                TaskRecord(
                    id: id("C\(i)"), project: coffee, branch: "b\(i)", status: i == n - 1 ? leaf : .delegated,
                    parent: i > 0 ? id("C\(i - 1)") : nil, children: i < n - 1 ? [id("C\(i + 1)")] : [])
            })
    }

    @Test func aDeepDelegationChainIsWalkedWithoutRecursion() {
        // The recursive walks these replaced crashed (stack overflow) on this chain.
        let n = 20_000
        let working = chain(n, leaf: .working)
        let tree = working.renderTree((0..<n).map { id("C\($0)") })
        #expect(tree.split(separator: "\n").count == n)
        #expect(tree.hasSuffix("[\(n)] ● C\(n - 1)  working  b\(n - 1)\n"), "deep rows carry their depth, not 40,000 spaces")
        let why = working.why(id("C0"))
        #expect(why.count == n + 2, "one line per level, then the root cause")
        #expect(why.last == "  C\(n - 1) (b\(n - 1)) is working (an agent is on it)")
        #expect(CycleIndex(graph: working).isEmpty)
        // Finishing the leaf completes every level above it, children before parents.
        let done = chain(n, leaf: .done)
        let completions = done.evaluate(changed: [id("C\(n - 1)")]).completions
        #expect(completions.count == n - 1 && completions.first == id("C\(n - 2)") && completions.last == id("C0"))
    }

    @Test func thousandsOfMissingBlockersAreExplainedInLinearTime() {
        let blockers = (0..<20_000).map { id("M\($0)") }
        let graph = TaskGraph([TaskRecord(id: id("Many1"), project: coffee, branch: "many", blockedBy: blockers)])
        let clock = ContinuousClock()
        var lines: [String] = []
        // Quadratic root de-duplication took about 30 s here (debug build); linear takes under one.
        let took = clock.measure { lines = graph.why(id("Many1")) }
        #expect(took < .seconds(5), "took \(took)")
        #expect(lines.count == 20_000 + 1 + 20_000)
        #expect(lines[20_000] == "root causes:")
    }
}
