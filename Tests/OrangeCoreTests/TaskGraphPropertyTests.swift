import OrangeCore
import OrangeTestSupport
import Testing

/// Random graphs and random edit sequences: the incremental evaluation must agree with a full
/// one, the ready set with the literal definition, and cycle detection with brute force.
@Suite struct TaskGraphPropertyTests {
    static let statuses: [TaskStatus] = [.pending, .pending, .pending, .working, .done, .done, .delegated, .cancelled, .failed, .reviewing]

    private func randomGraph(_ n: Int, _ rng: inout SeededRandom) -> [TaskRecord] {
        var records: [TaskRecord] = []
        for i in 0..<n {
            var t = task("t\(i)", Self.statuses.randomElement(using: &rng)!, at: Int64(i))
            if i > 0 {
                for _ in 0..<Int.random(in: 0...2, using: &rng) {
                    // Mostly backwards edges (a DAG), sometimes forward ones (cycles, missing tasks).
                    let j = Int.random(in: 0..<(Int.random(in: 0..<10, using: &rng) == 0 ? n + 3 : i), using: &rng)
                    if !t.blockedBy.contains(tid("t\(j)")) { t.blockedBy.append(tid("t\(j)")) }
                }
                if Int.random(in: 0..<4, using: &rng) == 0 {
                    let p = Int.random(in: 0..<i, using: &rng)
                    t.parent = tid("t\(p)")
                    records[p].children.append(t.id)
                }
            }
            records.append(t)
        }
        return records
    }

    /// The literal definition: pending, and every blocker exists in the same project and is done.
    private func bruteForceReady(_ records: [TaskRecord]) -> Set<TaskID> {
        let byID = Dictionary(uniqueKeysWithValues: records.map { ($0.id, $0) })
        return Set(
            records.filter { t in
                t.status == .pending && t.blockedBy.allSatisfy { byID[$0]?.status == .done && byID[$0]?.project == t.project }
            }.map(\.id))
    }

    /// Applies completions until none is due, the way the engine does after each change.
    private func settle(_ graph: inout TaskGraph, _ ids: [TaskID]) {
        for id in ids {
            var done = graph[id]!
            done.status = .done
            graph.upsert(done)
        }
    }

    @Test(arguments: [1, 2, 3, 4, 5, 6, 7, 8])
    func incrementalEqualsFullEvaluation(seed: UInt64) {
        var rng = SeededRandom(state: seed)
        let n = [20, 200, 2000][Int(seed % 3)]
        var graph = TaskGraph(randomGraph(n, &rng))
        settle(&graph, graph.evaluate(changed: nil).completions)
        var readySet = Set(graph.evaluate(changed: nil).ready)
        #expect(readySet == bruteForceReady(Array(graph.tasks.values)))

        for _ in 0..<300 {
            let id = tid("t\(Int.random(in: 0..<(n + 2), using: &rng))")
            switch Int.random(in: 0..<5, using: &rng) {
            case 0, 1:
                guard var t = graph[id] else { continue }
                t.status = Self.statuses.randomElement(using: &rng)!
                graph.upsert(t)
            case 2:
                guard var t = graph[id] else { continue }
                let other = tid("t\(Int.random(in: 0..<n, using: &rng))")
                if t.blockedBy.contains(other) { t.blockedBy.removeAll { $0 == other } } else { t.blockedBy.append(other) }
                graph.upsert(t)
            case 3:
                if graph[id] != nil { graph.remove(id) } else { graph.upsert(task(id.rawValue, .pending, at: Int64(n))) }
            default:
                guard var t = graph[id], t.children.isEmpty == false || t.status == .working else { continue }
                t.status = .delegated
                graph.upsert(t)
            }
            let incremental = graph.evaluate(changed: [id])
            let full = graph.evaluate(changed: nil)
            #expect(Set(incremental.completions) == Set(full.completions))
            settle(&graph, incremental.completions)
            readySet = readySet.subtracting(incremental.affected).union(incremental.ready)
            #expect(readySet == Set(graph.evaluate(changed: nil).ready))
            #expect(readySet == bruteForceReady(Array(graph.tasks.values)))
        }
    }

    @Test(arguments: [11, 12, 13, 14, 15])
    func cycleIndexAgreesWithBruteForceReachability(seed: UInt64) {
        var rng = SeededRandom(state: seed)
        for _ in 0..<40 {
            var records = randomGraph(15, &rng)
            for _ in 0..<3 {  // add random edges so cycles are common
                let a = Int.random(in: 0..<15, using: &rng), b = Int.random(in: 0..<15, using: &rng)
                records[a].blockedBy.append(tid("t\(b)"))
            }
            let graph = TaskGraph(records)
            let cycles = CycleIndex(graph: graph)
            for record in records {
                // Brute force: can the task reach itself through wait-for edges?
                var seen: Set<TaskID> = []
                var stack = graph.successors(of: record.id)
                var onCycle = false
                while let next = stack.popLast() {
                    if next == record.id { onCycle = true; break }
                    if seen.insert(next).inserted { stack += graph.successors(of: next) }
                }
                let path = cycles.path(through: record.id)
                #expect((path != nil) == onCycle, "\(record.id)")
                if let path {
                    #expect(path.first == record.id && path.last == record.id)
                    for (a, b) in zip(path, path.dropFirst()) { #expect(graph.successors(of: a).contains(b)) }
                }
            }
        }
    }

    @Test func incrementalCostDoesNotGrowWithTheGraph() {
        func chain(_ n: Int) -> TaskGraph {
            TaskGraph((0..<n).map { i in task("t\(i)", i < n / 2 ? .done : .pending, blockedBy: i > 0 ? ["t\(i - 1)"] : [], at: Int64(i)) })
        }
        var small = chain(1000)
        var large = chain(100_000)
        var a = small[tid("t499")]!, b = large[tid("t49999")]!
        a.status = .working; b.status = .working
        small.upsert(a); large.upsert(b)
        #expect(small.evaluate(changed: [tid("t499")]).visited == large.evaluate(changed: [tid("t49999")]).visited)
        // And a long chain does not overflow the stack in the cycle search.
        #expect(CycleIndex(graph: large).isEmpty)
    }
}
