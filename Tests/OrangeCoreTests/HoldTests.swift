import OrangeCore
import Testing

/// A held pending task (`hold:`) is never ready: the one readiness definition says so, so the
/// ready lists, the spawn planner's input and `task why` all follow.
@Suite struct HoldTests {
    func held(_ record: TaskRecord, _ reason: String = "") -> TaskRecord {
        var record = record
        record.hold = reason
        return record
    }

    @Test func heldPendingTaskIsNotReadyEvenWithEveryBlockerDone() {
        let g = TaskGraph([task("a", .done), held(task("b", blockedBy: ["a"]), "review first"), task("c", blockedBy: ["a"])])
        #expect(g.readiness(of: tid("b")) == .held("review first"))
        #expect(g.readyTasks() == [tid("c")])
        #expect(g.statusLabel(of: tid("b")) == "pending (held)")
    }

    @Test func heldRunningTaskIsStillNotPendingAndKeepsItsStatus() {
        let g = TaskGraph([held(task("a", .working))])
        #expect(g.readiness(of: tid("a")) == .notPending(.working))
        #expect(g.statusLabel(of: tid("a")) == "working")
    }

    @Test func evaluationAfterABlockerIsDoneDoesNotOfferTheHeldDependent() {
        let g = TaskGraph([task("a", .done), held(task("b", blockedBy: ["a"])), task("c", blockedBy: ["a"])])
        let evaluation = g.evaluate(changed: [tid("a")], cycles: CycleIndex(graph: g)) { _ in false }
        #expect(evaluation.ready == [tid("c")])
        let ready = evaluation.ready.compactMap { g[$0] }
        #expect(SpawnPlanner.plan(ready: ready, freeSlots: [proj: 3]) == [tid("c")])
    }

    @Test func whyNamesTheHoldAndHowToLiftIt() {
        let g = TaskGraph([held(task("b"), "waiting for design")])
        let lines = g.why(tid("b"))
        #expect(lines.contains { $0.contains("is held: waiting for design") })
        #expect(lines.contains("  held: waiting for design; lift with 'orange task unhold b'"), "\(lines)")
        let bare = TaskGraph([held(task("b"))]).why(tid("b"))
        #expect(bare.contains("  held; lift with 'orange task unhold b'"), "\(bare)")
    }

    @Test func holdRoundTripsThroughTheFrontMatterAndIsWrittenOnlyWhenSet() throws {
        let plain = task("a")
        #expect(!plain.rendered().contains("hold"))
        let bare = try TaskRecord.parse(held(plain).rendered())
        #expect(bare.hold == "")
        #expect(held(plain).rendered().contains("hold: true"))
        let reasoned = try TaskRecord.parse(held(plain, "needs: a decision").rendered())
        #expect(reasoned.hold == "needs: a decision")
        var edited = try TaskRecord.parse(plain.rendered().replacing("status: pending\n", with: "status: pending\nhold: false\n"))
        #expect(edited.hold == nil)
        edited = try TaskRecord.parse(plain.rendered().replacing("status: pending\n", with: "status: pending\nhold: true\n"))
        #expect(edited.hold == "")
        #expect(held(plain).json(path: "p")["hold"] == .string(""))
        #expect(plain.json(path: "p")["hold"] == .null)
    }
}

/// The dashboard's status column says `held`, and the row's note says why and how to lift it.
@Suite struct HoldDashboardTests {
    @Test func heldRowShowsHeldInTheStatusColumnAndTheReasonBelow() {
        var held = DashboardRendererTests.record("api", "oauth-api", .pending, ago: 5)
        held.hold = "design review"
        let state = DashboardState(
            graph: TaskGraph([held, DashboardRendererTests.record("ui", "oauth-ui", .pending, ago: 6)]),
            project: DashboardRendererTests.coffee, now: DashboardRendererTests.now)
        let rows = state.rows()
        let row = rows.first { $0.id == tid("api") }
        #expect(row?.statusText == "held")
        #expect(row?.notes.contains("⏸ held: design review (orange task unhold api)") == true, "\(row?.notes ?? [])")
        #expect(rows.first { $0.id == tid("ui") }?.statusText == "pending (ready)")
        let text = DashboardRenderer.render(state, width: 100, height: 12).plainText
        #expect(text.contains("held") && text.contains("⏸ held: design review"))
    }
}
