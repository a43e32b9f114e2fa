import OrangeCore
import OrangeTestSupport
import Testing

/// The engine's indexes, updated change by change, against the full computations they replace:
/// `CycleIndex(graph:)` and `TaskGraph.linkProblems()`, over random graphs and random edits.
@Suite struct GraphIndexesPropertyTests {
    private func randomID(_ n: Int, _ rng: inout SeededRandom) -> TaskID { tid("t\(Int.random(in: 0..<(n + 3), using: &rng))") }

    /// A random record for `id`: a few blockers (mostly older tasks, so cycles stay rare and are
    /// made and broken by the edits), sometimes a parent and children, either side of the link.
    private func randomRecord(_ id: TaskID, _ n: Int, forward: Bool, _ rng: inout SeededRandom) -> TaskRecord {
        let index = Int(id.rawValue.dropFirst())!
        var record = task(id.rawValue, [.pending, .done, .delegated, .working].randomElement(using: &rng)!, at: Int64(index))
        for _ in 0..<Int.random(in: 0...2, using: &rng) {
            let target = forward ? randomID(n, &rng) : tid("t\(Int.random(in: 0...max(0, index - 1), using: &rng))")
            if !record.blockedBy.contains(target) { record.blockedBy.append(target) }
        }
        if Int.random(in: 0..<4, using: &rng) == 0 {
            record.parent = forward ? randomID(n, &rng) : tid("t\(Int.random(in: 0...index, using: &rng))")
        }
        if Int.random(in: 0..<5, using: &rng) == 0 { record.children = [randomID(n, &rng), randomID(n, &rng)] }
        record.harness = ["claude", "pi"].randomElement(using: &rng)!
        record.lastError = [nil, "e1", "e2"].randomElement(using: &rng)!
        return record
    }

    private func expectSame(_ indexes: GraphIndexes, _ graph: TaskGraph, _ n: Int, _ context: String) {
        let full = CycleIndex(taskByTask: graph)
        #expect(indexes.isCurrent, "\(context)")
        #expect(indexes.cycles.components == full.components, "\(context)")
        for i in 0..<(n + 3) {
            #expect(indexes.cycles.path(through: tid("t\(i)")) == full.path(through: tid("t\(i)")), "\(context): t\(i)")
        }
        let problems = graph.linkProblems()
        #expect(indexes.linkProblems == problems, "\(context)")
        let ready = graph.readyTasks(cycles: full)
        #expect(indexes.readyTasks == ready, "\(context)")
        // The spawn step's groups: each project and harness, each reason a group may give.
        let groups = Set(ready.map { GraphIndexes.ReadyGroup(project: graph[$0]!.project, harness: graph[$0]!.harness) })
        #expect(Set(indexes.readyGroups) == groups, "\(context)")
        for group in groups {
            let members = ready.filter { graph[$0]!.project == group.project && graph[$0]!.harness == group.harness }
            #expect(indexes.anyReadyTask(in: group).map(members.contains) == true, "\(context)")
            for reason in [nil, "e1", "e2", "other"] as [String?] {
                let expected = members.filter { reason == nil || graph[$0]!.lastError != reason }
                #expect(indexes.readyTasks(in: group, except: reason) == expected, "\(context): \(group) except \(reason ?? "nil")")
            }
        }
        for i in 0..<(n + 3) {
            #expect(indexes.isReady(tid("t\(i)")) == graph.readiness(of: tid("t\(i)"), cycles: full).isReady, "\(context): t\(i)")
        }
        #expect(indexes.delegated == Set(graph.tasks.values.filter { $0.status == .delegated }.map(\.id)), "\(context)")
        let holding = graph.tasks.values.filter { $0.workspace != nil || $0.tmuxSession != nil }.map(\.id)
        #expect(indexes.holdingAgentResources == Set(holding), "\(context)")
        for i in 0..<(n + 3) {
            let id = tid("t\(i)")
            let involving = problems.filter { problem in
                switch problem {
                case .missingFromParent(let child, let parent): return child == id || parent == id
                case .childNamesOtherParent(let child, let listedBy, _): return child == id || listedBy == id
                }
            }
            #expect(graph.linkProblems(involving: id) == involving, "\(context): t\(i)")
        }
    }

    @Test(arguments: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12])
    func updatedIndexesEqualTheFullComputation(seed: UInt64) {
        var rng = SeededRandom(state: FuzzBudget.seed(default: seed))
        let n = [8, 30, 120][Int(seed % 3)]
        // Half the runs start acyclic (the usual graph), half with edges anywhere.
        let forwardEdges = seed % 2 == 0
        var graph = TaskGraph((0..<n).map { randomRecord(tid("t\($0)"), n, forward: forwardEdges && Bool.random(using: &rng), &rng) })
        var indexes = GraphIndexes(graph: graph)
        expectSame(indexes, graph, n, "seed \(seed), start")

        for step in 0..<FuzzBudget.iterations(default: 150) {
            var changes: [GraphIndexes.Change] = []
            for _ in 0..<Int.random(in: 1...3, using: &rng) {
                let id = randomID(n, &rng)
                let old = graph[id]
                var new: TaskRecord?
                switch Int.random(in: 0..<10, using: &rng) {
                case 0: new = nil  // removed (or still missing)
                case 1: new = randomRecord(id, n, forward: Int.random(in: 0..<5, using: &rng) == 0, &rng)  // added or rewritten
                case 2:
                    new = old
                    new?.blockedBy = old?.blockedBy.filter { _ in Bool.random(using: &rng) } ?? []
                    if Int.random(in: 0..<3, using: &rng) == 0 { new?.blockedBy.append(randomID(n, &rng)) }
                case 3:
                    new = old
                    new?.parent = Bool.random(using: &rng) ? nil : randomID(n, &rng)
                case 4:
                    new = old
                    new?.children = Bool.random(using: &rng) ? [] : (old?.children ?? []) + [randomID(n, &rng)]
                case 5:
                    new = old
                    new?.createdAt = Timestamp(millisecondsSinceEpoch: Int64.random(in: 0..<Int64(n), using: &rng))
                case 6:
                    new = old
                    new?.status = [.pending, .done, .delegated, .working, .cancelled].randomElement(using: &rng)!
                    new?.hold = Int.random(in: 0..<6, using: &rng) == 0 ? "wait" : nil
                case 7:
                    new = old
                    new?.workspace = Bool.random(using: &rng) ? nil : "bench--1"
                    new?.tmuxSession = Bool.random(using: &rng) ? nil : "s"
                case 8:
                    // What the spawn step notes on a ready task that cannot start, or a harness changed.
                    new = old
                    new?.lastError = [nil, "e1", "e2"].randomElement(using: &rng)!
                    if Bool.random(using: &rng) { new?.harness = ["claude", "pi"].randomElement(using: &rng)! }
                default:
                    new = old
                    new?.description = "edit \(step)"
                }
                if let new { graph.upsert(new) } else { graph.remove(id) }
                if old != nil || new != nil { changes.append(GraphIndexes.Change(old: old, new: new)) }
            }
            indexes.update(changes, in: graph)
            expectSame(indexes, graph, n, "seed \(seed), step \(step)")
        }
    }

    @Test func aBatchTooLargeToFollowIsIndexedAgainWhenRefreshed() {
        let records = (0..<300).map { task("t\($0)", blockedBy: $0 == 0 ? ["t299"] : ["t\($0 - 1)"]) }
        var graph = TaskGraph()
        var indexes = GraphIndexes(graph: graph)
        for record in records { graph.upsert(record) }
        indexes.update(records.map { GraphIndexes.Change(old: nil, new: $0) }, in: graph)
        #expect(!indexes.isCurrent)
        indexes.refresh(graph)
        expectSame(indexes, graph, 300, "after refresh")
        #expect(indexes.cycles.components.count == 1)
    }

    /// The change log names what changed since a mark of its own, and nothing for a mark of
    /// another log (indexes built apart) or one from before a rebuild from scratch.
    @Test func theChangeLogAnswersOnlyForItsOwnMarksSinceTheLastRebuild() {
        var graph = TaskGraph([task("a1"), task("b2", blockedBy: ["a1"])])
        var indexes = GraphIndexes(graph: graph)
        let other = GraphIndexes(graph: graph)
        let before = indexes.changeLog.mark
        #expect(indexes.changeLog.changes(since: before) == [])
        #expect(other.changeLog.changes(since: before) == nil)
        #expect(other.changeLog.mark != before)

        var done = graph[TaskID(validating: "a1")!]!
        let old = done
        done.status = .done
        graph.upsert(done)
        indexes.update([GraphIndexes.Change(old: old, new: done)], in: graph)
        let changed = indexes.changeLog.changes(since: before)
        #expect(changed?.contains(TaskID(validating: "a1")!) == true)
        #expect(changed?.contains(TaskID(validating: "b2")!) == true, "its dependent's readiness")

        let afterEdit = indexes.changeLog.mark
        indexes.take(rebuilt: GraphIndexes(graph: graph))
        #expect(indexes.changeLog.changes(since: afterEdit) == nil, "a rebuild forgets what came before")
        #expect(indexes.changeLog.changes(since: indexes.changeLog.mark) == [])
    }
}
