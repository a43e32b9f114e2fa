import OrangeCore
import Testing

/// After a change from the engine, the dashboard builds its rows off the UI thread
/// (`rowsMayLag`): keys and frames meanwhile use the previous rows, and build nothing; once
/// built, the changed task's row shows its new state.
@Suite struct DashboardRowsAsideTests {
    typealias R = DashboardRendererTests

    @Test func aKeyWhileTheRowsLagBuildsNothingAndTheBuiltRowsShowTheChange() throws {
        var state = DashboardRowModelTests.longState(50)
        _ = DashboardRenderer.render(state, width: 120, height: 30)
        let built = state.rowModelBuilds
        let before = try #require(state.rows().first { $0.id?.rawValue == "t0" })
        #expect(before.statusText == "pending (ready)")

        // The engine says t0 is done (its dependent t1 becomes ready).
        var graph = state.graph
        graph.upsert(R.record("t0", "task-0-x", .done, ago: 1))
        state.graph = graph
        state.rowsMayLag = true
        for key in [Key.character("j"), .down, .character("k")] {
            _ = state.handle(key, pageHeight: 25)
            state.normalizeSelection()
            _ = DashboardRenderer.render(state, width: 120, height: 30)
        }
        #expect(state.rowModelBuilds == built)
        #expect(!state.rowsAreBuilt)
        #expect(state.rows().first { $0.id?.rawValue == "t0" }?.statusText == "pending (ready)")

        // Built aside (on a copy sharing the state's cache), the rows show the change.
        let copy = state
        copy.buildRowModel()
        #expect(state.rowsAreBuilt)
        #expect(state.rowModelBuilds == built + 1)
        #expect(state.rows().first { $0.id?.rawValue == "t0" }?.statusText == "done")
        #expect(state.rows().first { $0.id?.rawValue == "t1" }?.statusText == "pending (ready)")
    }

    @Test func aChangeMadeByAKeyIsBuiltAtOnce() {
        var state = DashboardRowModelTests.longState(50)
        _ = DashboardRenderer.render(state, width: 120, height: 30)
        state.rowsMayLag = true
        _ = state.handle(.character("f"))  // the filter: what the rows show changed
        #expect(!state.rowsMayLag)
        #expect(state.rows().count == 50)
        #expect(state.rowsAreBuilt)
    }
}
