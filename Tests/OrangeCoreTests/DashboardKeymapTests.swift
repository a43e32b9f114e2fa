import OrangeCore
import Testing

@Suite struct DashboardKeymapTests {
    typealias R = DashboardRendererTests

    @Test func decodesKeysArrowsAndUTF8FromRawBytes() {
        let bytes: [UInt8] =
            Array("jk".utf8) + [0x1B, 0x5B, 0x41, 0x1B, 0x5B, 0x42, 0x1B, 0x4F, 0x41, 0x0D, 0x09, 0x7F, 0x03]
            + [0x1B, 0x5B, 0x35, 0x7E, 0x1B, 0x5B, 0x5A] + Array("é".utf8) + [0x1B]
        #expect(
            DashboardKeys.decode(bytes) == [
                .character("j"), .character("k"), .up, .down, .up, .enter, .tab, .backspace, .interrupt,
                .pageUp, .backTab, .character("é"), .escape,
            ])
        // Unknown sequences are dropped whole, not typed as text.
        #expect(DashboardKeys.decode([0x1B, 0x5B, 0x31, 0x3B, 0x35, 0x51, 0x78]) == [.character("x")])
        // A truncated sequence and invalid UTF-8 are dropped without crashing.
        #expect(DashboardKeys.decode([0x1B, 0x5B, 0x31]) == [])
        #expect(DashboardKeys.decode([0xFF, 0xC3]) == [])
    }

    @Test func movingKeepsTheSelectionOnVisibleRows() {
        var state = R.seedState()
        state.selected = nil
        state.normalizeSelection()
        #expect(state.selected == tid("db"))
        _ = state.handle(.character("j"))
        #expect(state.selected == tid("api"))
        _ = state.handle(.end)
        #expect(state.selected == tid("c3"))
        _ = state.handle(.down)
        #expect(state.selected == tid("c3"))
        _ = state.handle(.home)
        #expect(state.selected == tid("db"))
        // The done filter hides the selected task: the selection moves to what is shown.
        _ = state.handle(.character("f"))
        _ = state.handle(.character("f"))
        #expect(state.filter == .done)
        #expect(state.selected == tid("c1"))
    }

    @Test func enterDependsOnTheTaskState() {
        var state = R.seedState()
        state.selected = tid("db")  // reviewing, session alive
        #expect(state.handle(.enter) == [.attach(tid("db"))])
        state.selected = tid("c2")  // working, pane dead
        #expect(state.handle(.enter) == [.command(["task", "respawn", "c2"], task: tid("c2"))])
        state.selected = tid("c3")  // pending and ready
        #expect(state.handle(.enter) == [.command(["task", "spawn", "c3"], task: tid("c3"))])
        state.selected = tid("api")  // pending, blocked
        #expect(state.handle(.enter) == [])
        #expect(state.message?.isError == true)
        #expect(state.message?.text.contains("blocked by db is reviewing") == true)
        state.selected = tid("add")
        #expect(state.handle(.enter) == [])
        #expect(state.message?.text.contains("(1/3)") == true)
    }

    @Test func actionKeysOnlyWhereTheTransitionExists() {
        var state = R.seedState()
        state.selected = tid("db")
        #expect(state.handle(.character("a")) == [.command(["task", "approve", "db"], task: tid("db"))])
        #expect(state.handle(.character("m")) == [])
        #expect(state.message?.text == "cannot merge a task that is reviewing")
        #expect(state.handle(.character("d")) == [])
        state.selected = tid("c1")
        #expect(state.handle(.character("x")) == [])
        #expect(state.handle(.character("d")) == [])
        #expect(state.mode == .confirm(.delete, tid("c1")))
        #expect(state.handle(.character("n")) == [])
        #expect(state.mode == .list)
    }

    @Test func cancelAsksFirstAndRunsTheCommandWithYes() {
        var state = R.seedState()
        state.selected = tid("api")
        #expect(state.handle(.character("x")) == [])
        #expect(state.mode == .confirm(.cancel, tid("api")))
        #expect(state.handle(.character("z")) == [])  // other keys are ignored
        #expect(state.handle(.character("y")) == [.command(["task", "cancel", "api", "--yes"], task: tid("api"))])
        #expect(state.mode == .list)
    }

    @Test func createFormResolvesBranchNamesAndRefusesUnknownOnes() {
        var state = R.seedState()
        _ = state.handle(.character("c"))
        for c in "oauth-docs" { _ = state.handle(.character(c)) }
        _ = state.handle(.tab)
        for c in "docs for it" { _ = state.handle(.character(c)) }
        _ = state.handle(.tab)
        for c in "oauth-ui,db" { _ = state.handle(.character(c)) }
        _ = state.handle(.tab)
        for c in "nope" { _ = state.handle(.character(c)) }
        #expect(state.handle(.enter) == [])
        #expect(state.message?.text == "no task 'nope' in project coffee (parent)")
        for _ in 0..<4 { _ = state.handle(.backspace) }
        for c in "add-oauth" { _ = state.handle(.character(c)) }
        #expect(
            state.handle(.enter) == [
                .command(
                    [
                        "task", "create", "oauth-docs", "docs for it", "--project", "coffee", "--no-spawn",
                        "--blocked-by", "ui", "--blocked-by", "db", "--parent", "add",
                    ], task: nil)
            ])
        #expect(state.mode == .list)
    }

    @Test func createNeedsABranchAndEscapeCancels() {
        var state = R.seedState()
        _ = state.handle(.character("c"))
        #expect(state.handle(.enter) == [])
        #expect(state.message?.text == "a branch name is required")
        _ = state.handle(.escape)
        #expect(state.mode == .list)
    }

    @Test func toggleGraphHelpAndQuit() {
        var state = R.seedState()
        _ = state.handle(.character("t"))
        #expect(state.layout == .flat)
        _ = state.handle(.character("t"))
        #expect(state.layout == .nested)
        _ = state.handle(.character("g"))
        guard case .page(let title, let lines, _) = state.mode else { Issue.record("no graph page"); return }
        #expect(title == "Task graph (coffee)")
        #expect(lines.contains { $0.contains("delegated (1/3)") && $0.contains("add-oauth") })
        _ = state.handle(.character("q"))
        #expect(state.mode == .list)
        _ = state.handle(.character("?"))
        if case .page = state.mode {} else { Issue.record("no help page") }
        _ = state.handle(.escape)
        #expect(state.handle(.character("q")) == [.quit])
        #expect(state.handle(.interrupt) == [.quit])
    }

    @Test func footerListsOnlyKeysValidForTheRow() {
        var state = R.seedState()
        let rows = state.rows()
        func footer(_ id: String) -> String {
            state.selected = tid(id)
            return DashboardKeys.footer(for: rows.first { $0.id == tid(id) }, state: state)
        }
        #expect(footer("db").contains("Enter:attach a:approve r:changes v:view x:cancel"))
        #expect(footer("c3").contains("Enter:spawn v:view x:cancel"))
        #expect(footer("c1").contains("v:view d:delete"))
        #expect(!footer("c1").contains("x:cancel"))
        #expect(!footer("api").contains("Enter"))
    }
}
