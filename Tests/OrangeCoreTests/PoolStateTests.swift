import OrangeCore
import Testing

@Suite struct PoolStateTests {
    let coffee = ProjectName(validating: "coffee")!
    let tea = ProjectName(validating: "tea")!
    func id(_ s: String) -> TaskID { TaskID(validating: s)! }

    @Test func growsLazilyUpToThePoolSizeThenWaits() {
        var pool = PoolState()
        guard case .create(let first) = pool.decide(for: id("a"), in: coffee, poolSize: 2) else { Issue.record("expected create"); return }
        #expect(first.name == "coffee--1")
        pool.bind(first, to: id("a"))
        guard case .create(let second) = pool.decide(for: id("b"), in: coffee, poolSize: 2) else { Issue.record("expected create"); return }
        #expect(second.name == "coffee--2")
        pool.bind(second, to: id("b"))
        #expect(pool.decide(for: id("c"), in: coffee, poolSize: 2) == .exhausted(used: 2, size: 2))
        #expect(pool.freeCount(of: coffee, poolSize: 2) == 0)
        // Another project's pool is separate.
        #expect(pool.freeCount(of: tea, poolSize: 1) == 1)
        pool.release("coffee--1")
        #expect(pool.decide(for: id("c"), in: coffee, poolSize: 2) == .reuse(WorkspaceSlot(project: coffee, number: 1)))
    }

    @Test func aTaskKeepsItsOwnSlotAndGapsAreReused() {
        var pool = PoolState(slots: [WorkspaceSlot(project: coffee, number: 3, task: id("x"))])
        #expect(pool.decide(for: id("x"), in: coffee, poolSize: 1) == .reuse(WorkspaceSlot(project: coffee, number: 3, task: id("x"))))
        guard case .create(let slot) = pool.decide(for: id("y"), in: coffee, poolSize: 2) else { Issue.record("expected create"); return }
        #expect(slot.number == 1)
        pool.bind(slot, to: id("y"))
        #expect(pool.slot(boundTo: id("y"))?.name == "coffee--1")
    }

    @Test func shrinkingThePoolNeverEvictsButBlocksNewWork() {
        let pool = PoolState(slots: [
            WorkspaceSlot(project: coffee, number: 1, task: id("a")), WorkspaceSlot(project: coffee, number: 2, task: id("b")),
        ])
        #expect(pool.decide(for: id("c"), in: coffee, poolSize: 1) == .exhausted(used: 2, size: 1))
        #expect(pool.freeCount(of: coffee, poolSize: 1) == 0)
    }

    @Test func roundTripsThroughJSONAndRejectsBadEntries() throws {
        let pool = PoolState(slots: [WorkspaceSlot(project: coffee, number: 1, task: id("a")), WorkspaceSlot(project: tea, number: 2)])
        let text = pool.json.prettyRendered()
        #expect(try PoolState.from(json: JSONValue.parse(text)).get() == pool)
        for bad in [
            #"{"workspaces": {"../x--1": {"status": "available"}}}"#,
            #"{"workspaces": {"coffee--1": {"status": "bound", "task": "../../x"}}}"#,
            #"{"workspaces": {"coffee--01": {"status": "available"}}}"#, "{}",
        ] {
            #expect(throws: PoolDecodeError.self) { try PoolState.from(json: JSONValue.parse(bad)).get() }
        }
    }

    @Test func parsesWorkspaceNamesStrictly() {
        #expect(WorkspaceSlot.parse(name: "my-app--12")?.1 == 12)
        #expect(WorkspaceSlot.parse(name: "coffee-1") == nil)
        #expect(WorkspaceSlot.parse(name: "coffee--") == nil)
        #expect(WorkspaceSlot.parse(name: "coffee--1x") == nil)
        #expect(WorkspaceSlot.parse(name: "--1") == nil)
    }
}
