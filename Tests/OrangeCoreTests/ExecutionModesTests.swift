import OrangeCore
import Testing

@Suite struct ExecutionModesTests {
    func with(_ record: TaskRecord, execution: ExecutionMode? = nil, branches: BranchModel? = nil, reassessed: [String] = []) -> TaskRecord
    {
        var copy = record
        copy.execution = execution
        copy.branches = branches
        copy.reassessed = reassessed.map(tid)
        return copy
    }

    @Test func theEffectiveModeIsTheTasksOwnElseTheNearestAncestorsElseTheProjects() {
        let g = TaskGraph([
            with(task("p", .delegated, children: ["c"]), execution: .sequential, branches: .hierarchical),
            with(task("c", .delegated, parent: "p", children: ["g"]), execution: .parallel),
            task("g", parent: "c"), task("r"),
        ])
        let project = ProjectModes(execution: .parallel, branches: .flat)
        #expect(g.effectiveExecution(of: tid("g"), project: project) == .parallel)
        #expect(g.effectiveBranches(of: tid("g"), project: project) == .hierarchical)
        #expect(g.scopeExecution(of: tid("c"), project: project) == .sequential)
        #expect(g.scopeExecution(of: tid("r"), project: ProjectModes(execution: .sequential)) == .sequential)
    }

    @Test func aSequentialScopeStartsOneTaskOnlyWhileNothingInItRuns() {
        let modes = { (_: ProjectName) in ProjectModes(execution: .sequential) }
        let ready = [task("a", at: 1), task("b", at: 2)]
        #expect(SpawnPlanner.plan(ready: ready, freeSlots: [proj: 3], graph: TaskGraph(ready), modes: modes).spawn == [tid("a")])
        let busy = TaskGraph(ready + [task("r", .reviewing)])
        #expect(SpawnPlanner.plan(ready: ready, freeSlots: [proj: 3], graph: busy, modes: modes).spawn.isEmpty)
        // Children of a sequential parent wait while it is working (its reassess turn).
        let kids = [task("x", parent: "p", at: 1), task("y", parent: "p", at: 2)]
        let working = TaskGraph(kids + [with(task("p", .working, children: ["x", "y"]), execution: .sequential)])
        #expect(SpawnPlanner.plan(ready: kids, freeSlots: [proj: 3], graph: working, modes: { _ in ProjectModes() }).spawn.isEmpty)
        let delegated = TaskGraph(kids + [with(task("p", .delegated, children: ["x", "y"]), execution: .sequential)])
        #expect(SpawnPlanner.plan(ready: kids, freeSlots: [proj: 3], graph: delegated, modes: { _ in ProjectModes() }).spawn == [tid("x")])
    }

    @Test func aReassessTurnIsDueOncePerDoneChildAndNeverWhenNothingIsLeft() {
        let modes = { (_: ProjectName) in ProjectModes() }
        let parent = with(task("p", .delegated, children: ["a", "b"]), execution: .sequential)
        let due = TaskGraph([parent, task("a", .done, parent: "p"), task("b", parent: "p")])
        #expect(due.dueReassessments(modes: modes) == [ReassessTurn(parent: tid("p"), finished: [tid("a")])])
        let given = TaskGraph([
            with(parent, execution: .sequential, reassessed: ["a"]), task("a", .done, parent: "p"), task("b", parent: "p"),
        ])
        #expect(given.dueReassessments(modes: modes).isEmpty)
        let allDone = TaskGraph([parent, task("a", .done, parent: "p"), task("b", .done, parent: "p")])
        #expect(allDone.dueReassessments(modes: modes).isEmpty)
        let parallel = TaskGraph([with(parent), task("a", .done, parent: "p"), task("b", parent: "p")])
        #expect(parallel.dueReassessments(modes: modes).isEmpty)
    }

    @Test func theModesSurviveTheFileAndAreWrittenOnlyWhenSet() throws {
        let plain = task("a")
        #expect(!plain.rendered().contains("execution") && !plain.rendered().contains("branches"))
        let set = with(plain, execution: .sequential, branches: .hierarchical, reassessed: ["b"])
        let back = try TaskRecord.parse(set.rendered())
        #expect(back.execution == .sequential && back.branches == .hierarchical && back.reassessed == [tid("b")])
        #expect(throws: FrontmatterError.self) {
            try TaskRecord.parse(
                plain.rendered().split(separator: "\n", omittingEmptySubsequences: false).map {
                    $0 == "status: pending" ? "status: pending\nexecution: sideways" : String($0)
                }.joined(separator: "\n"))
        }
    }
}

@Suite struct ExecutionModesDisplayTests {
    @Test func theDashboardShowsAParentsModesWhenTheyAreNotTheDefaults() {
        var parent = task("p", .delegated, children: ["c"])
        parent.execution = .sequential
        let graph = TaskGraph([parent, task("c", parent: "p"), task("q", .delegated, children: ["d"]), task("d", parent: "q")])
        var state = DashboardState(graph: graph, project: proj, now: Timestamp(millisecondsSinceEpoch: 0))
        state.projectModes = [proj: ProjectModes(execution: .parallel, branches: .hierarchical)]
        let rows = Dictionary(state.rows().compactMap { row in row.id.map { ($0, row.notes) } }, uniquingKeysWith: { a, _ in a })
        #expect(rows[tid("p")]?.contains("sub-tasks: sequential, hierarchical branches") == true, "\(rows)")
        #expect(rows[tid("q")]?.contains("sub-tasks: parallel, hierarchical branches") == true, "\(rows)")
        #expect(rows[tid("c")]?.contains { $0.hasPrefix("sub-tasks:") } == false)
        state.projectModes = [:]
        #expect(state.rows().first { $0.id == tid("q") }?.notes.contains { $0.hasPrefix("sub-tasks:") } == false)
    }

    @Test func aConflictSectionReplacesAnEarlierOneAndKeepsTheRestOfTheBody() {
        let first = MergeConflictNote.section(taskBranch: "b", parentBranch: "p", files: ["x.swift"])
        let body = MergeConflictNote.replacingSection(in: "## Context\n\nctx\n", with: first) + "## Notes\n\nmine\n"
        let again = MergeConflictNote.replacingSection(
            in: body, with: MergeConflictNote.section(taskBranch: "b", parentBranch: "p", files: ["y.swift"]))
        #expect(again.hasPrefix("## Context\n\nctx\n\n## Notes\n\nmine\n\n## Merge conflict"), "\(again)")
        #expect(again.contains("- y.swift") && !again.contains("- x.swift"))
    }

    @Test func aHierarchicalParentGoesToReviewAndStopsTheCascade() {
        let graph = TaskGraph([
            task("g", .delegated, children: ["p"]), task("p", .delegated, parent: "g", children: ["c"]), task("c", .done, parent: "p"),
        ])
        let evaluation = graph.evaluate(changed: [tid("c")]) { $0 == tid("p") }
        #expect(evaluation.reviews == [tid("p")] && evaluation.completions.isEmpty)
        #expect(graph.evaluate(changed: [tid("c")]).completions == [tid("p"), tid("g")])
    }
}
