import OrangeCore
import Testing

func tid(_ s: String) -> TaskID { TaskID(validating: s)! }
let proj = ProjectName(validating: "p")!

func task(
    _ id: String, _ status: TaskStatus = .pending, blockedBy: [String] = [], parent: String? = nil, children: [String] = [], at: Int64 = 0,
    project: ProjectName = proj
) -> TaskRecord {
    TaskRecord(
        id: tid(id), project: project, branch: "b-\(id)", status: status, parent: parent.map(tid),
        blockedBy: blockedBy.map(tid), children: children.map(tid), createdAt: Timestamp(millisecondsSinceEpoch: at))
}

@Suite struct TaskGraphTests {
    @Test func readinessFollowsTheDefinition() {
        let g = TaskGraph([
            task("a", .done), task("b", .working), task("c", blockedBy: ["a"]), task("d", blockedBy: ["a", "b"]),
            task("e", blockedBy: ["x"]), task("f", .working, blockedBy: ["a"]), task("g", blockedBy: ["h"]), task("h", .cancelled),
        ])
        #expect(g.readiness(of: tid("c")) == .ready)
        #expect(g.readiness(of: tid("d")) == .blocked([Blocker(id: tid("b"), state: .waiting(.working))]))
        #expect(g.readiness(of: tid("e")) == .blocked([Blocker(id: tid("x"), state: .missing)]))
        #expect(g.readiness(of: tid("f")) == .notPending(.working))
        #expect(g.readiness(of: tid("g")) == .blocked([Blocker(id: tid("h"), state: .needsPerson(.cancelled))]))
        #expect(g.readyTasks() == [tid("c")])
    }

    @Test func cancelledBlockerRearmsWhenLaterDone() {
        var g = TaskGraph([task("a", .cancelled), task("b", blockedBy: ["a"])])
        #expect(!g.readiness(of: tid("b")).isReady)
        g.upsert(task("a", .done))
        #expect(g.readiness(of: tid("b")).isReady)
    }

    @Test func crossProjectBlockerIsReported() {
        let other = ProjectName(validating: "q")!
        let g = TaskGraph([task("a", .done, project: other), task("b", blockedBy: ["a"])])
        #expect(g.readiness(of: tid("b")) == .blocked([Blocker(id: tid("a"), state: .otherProject(other))]))
        #expect(throws: GraphValidationError.blockerInOtherProject(tid("a"), blockerProject: other, project: proj)) {
            try g.validate(task("c", blockedBy: ["a"]))
        }
    }

    @Test func validationErrorsNameTheProblemAndTheFullCycle() throws {
        let g = TaskGraph([task("a"), task("b", blockedBy: ["a"]), task("c", blockedBy: ["b"])])
        #expect(throws: GraphValidationError.blockerMissing(tid("zz"))) { try g.validate(task("n", blockedBy: ["zz"])) }
        #expect(throws: GraphValidationError.blockedBySelf(tid("n"))) { try g.validate(task("n", blockedBy: ["n"])) }
        do {
            try g.validate(task("a", blockedBy: ["c"]), previous: task("a"))
            Issue.record("expected a cycle")
        } catch {
            #expect(error.description == "cycle: a -> c -> b -> a")
        }
        // A child blocked by its own parent: parent waits for child, child waits for parent.
        #expect(throws: GraphValidationError.cycle([tid("k"), tid("a"), tid("k")])) {
            try g.validate(task("k", blockedBy: ["a"], parent: "a"))
        }
        // An old dangling blocker does not stop an unrelated edit.
        let dangling = TaskGraph([task("d", blockedBy: ["gone"])])
        try dangling.validate(task("d", blockedBy: ["gone"], at: 5), previous: task("d", blockedBy: ["gone"]))
    }

    @Test func delegatedProgressAndAttention() {
        let g = TaskGraph([
            task("p", .delegated, children: ["a", "b", "c"]), task("a", .done, parent: "p"),
            task("b", .cancelled, parent: "p"), task("c", .working, parent: "p"),
        ])
        #expect(g.statusLabel(of: tid("p")) == "delegated (1/3), needs attention")
        #expect(g.evaluate(changed: [tid("a")]).completions.isEmpty)
    }

    @Test func autoCompletionCascadesThroughNestedDelegation() {
        var g = TaskGraph([
            task("root", .delegated, children: ["m", "n"]),
            task("m", .delegated, parent: "root", children: ["x", "y"]), task("n", .done, parent: "root"),
            task("x", .done, parent: "m"), task("y", .working, parent: "m"),
            task("after", blockedBy: ["root"]),
        ])
        #expect(g.evaluate(changed: nil).completions.isEmpty)
        g.upsert(task("y", .done, parent: "m"))
        let result = g.evaluate(changed: [tid("y")])
        #expect(result.completions == [tid("m"), tid("root")])
        #expect(result.ready == [tid("after")])
        #expect(g.evaluate(changed: nil).completions == [tid("m"), tid("root")])
    }

    @Test func childrenFromEitherSideOfTheLinkCountAndProblemsAreReported() {
        let g = TaskGraph([task("p", .delegated, children: ["a"]), task("a", .done, parent: "p"), task("b", .working, parent: "p")])
        #expect(g.children(of: tid("p")) == [tid("a"), tid("b")])
        #expect(g.statusLabel(of: tid("p")) == "delegated (1/2)")
        #expect(g.linkProblems() == [.missingFromParent(child: tid("b"), parent: tid("p"))])
    }

    @Test func handEditedCycleBlocksOnlyTheTasksOnIt() {
        let g = TaskGraph([task("a", blockedBy: ["b"]), task("b", blockedBy: ["a"]), task("c"), task("d", blockedBy: ["c"])])
        let cycles = CycleIndex(graph: g)
        #expect(cycles.components == [[tid("a"), tid("b")]])
        #expect(g.readiness(of: tid("a"), cycles: cycles) == .onCycle([tid("a"), tid("b"), tid("a")]))
        #expect(g.readyTasks(cycles: cycles) == [tid("c")])
        #expect(g.why(tid("a"), cycles: cycles).contains { $0.contains("cycle: a -> b -> a") })
    }

    @Test func spawnPlannerTakesOldestFirstUpToFreeSlots() {
        let other = ProjectName(validating: "q")!
        let ready = [task("c", at: 3), task("a", at: 1), task("b", at: 2), task("z", at: 0, project: other)]
        #expect(SpawnPlanner.plan(ready: ready, freeSlots: [proj: 2, other: 0]) == [tid("a"), tid("b")])
        #expect(SpawnPlanner.plan(ready: ready, freeSlots: [:]).isEmpty)
    }

    @Test func whyWalksToTheRootCause() {
        let g = TaskGraph([task("db", .working), task("api", blockedBy: ["db"]), task("ui", blockedBy: ["api"])])
        let lines = g.why(tid("ui"))
        #expect(
            lines == [
                "ui (b-ui) is blocked by api (b-api): pending",
                "  api (b-api) is blocked by db (b-db): working",
                "    db (b-db) is working",
                "root cause:",
                "  db (b-db) is working (an agent is on it)",
            ])
    }

    @Test func renderersEscapeLabels() {
        var t = task("a")
        t.description = "say \"hi\" <b>\n{x}"
        let g = TaskGraph([t, task("b", blockedBy: ["a"])])
        #expect(g.renderDot().contains("label=\"say 'hi'  b   x \\npending\""))
        #expect(g.renderMermaid().contains("a --> b"))
        #expect(g.renderTree([tid("a"), tid("b")]).contains("⟵ blocked by a (pending)"))
    }

    @Test func transitionTableContainsTheSeedPathsAndExplainsRejections() throws {
        #expect(TransitionTable.allows(.pending, .working, by: .engine))
        #expect(TransitionTable.allows(.working, .delegated, by: .agent))
        #expect(TransitionTable.allows(.delegated, .done, by: .engine))
        #expect(!TransitionTable.allows(.delegated, .done, by: .agent))
        #expect(!TransitionTable.allows(.delegated, .done, by: .human))
        for (from, to) in [
            (TaskStatus.working, TaskStatus.reviewing), (.reviewing, .reviewed), (.reviewed, .done), (.working, .stuck),
            (.working, .clarification),
        ] {
            #expect(TransitionTable.allows(from, to, by: from == .reviewing || from == .reviewed ? .human : .agent), "\(from) -> \(to)")
        }
        do {
            try TransitionTable.check(tid("abc"), from: .done, to: .working, by: .human)
            Issue.record("expected rejection")
        } catch {
            #expect(error.description == "cannot change abc from done to working; no changes are allowed from done")
        }
        do {
            try TransitionTable.check(tid("abc"), from: .pending, to: .reviewing, by: .agent)
            Issue.record("expected rejection")
        } catch {
            #expect(error.description == "cannot change abc from pending to reviewing; no changes are allowed from pending")
        }
        do {
            try TransitionTable.check(tid("abc"), from: .working, to: .done, by: .agent)
        } catch {
            #expect(error.description == "cannot change abc from working to done; allowed: clarification, delegated, reviewing, stuck")
        }
    }
}
