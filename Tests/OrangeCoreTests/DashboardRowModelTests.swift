import OrangeCore
import Testing

/// The dashboard builds its rows once per change of what they show; a key that only moves the
/// cursor, and each redraw, reads the rows already built (issue 18: "a keystroke must cost the
/// rows on screen, not every task in the tree").
@Suite struct DashboardRowModelTests {
    typealias R = DashboardRendererTests

    /// A chain of `count` pending tasks, each blocked by the one before (so each row has a note).
    static func longState(_ count: Int) -> DashboardState {
        let tasks = (0..<count).map { i in
            R.record("t\(i)", "task-\(i)-x", .pending, ago: Int64(i + 1), blockedBy: i == 0 ? [] : ["t\(i - 1)"])
        }
        var state = DashboardState(graph: TaskGraph(tasks), project: R.coffee, now: R.now)
        state.sessionsKnown = true
        state.normalizeSelection()
        return state
    }

    @Test func aCursorMoveRedrawsFromTheRowsAlreadyBuilt() {
        var state = Self.longState(200)
        _ = DashboardRenderer.render(state, width: 120, height: 30)
        let built = state.rowModelBuilds
        #expect(built == 1)
        for key in [Key.character("j"), .down, .character("k"), .pageDown, .end, .up, .home] {
            _ = state.handle(key, pageHeight: 25)
            // The clock moves with every frame: the activity column ages without a rebuild.
            state.now = Timestamp(millisecondsSinceEpoch: state.now.millisecondsSinceEpoch + 61_000)
            state.normalizeSelection()
            _ = DashboardRenderer.render(state, width: 120, height: 30)
        }
        #expect(state.rowModelBuilds == built)
        // What the rows show changed: built once more, then reused again.
        _ = state.handle(.character("t"))
        _ = DashboardRenderer.render(state, width: 120, height: 30)
        _ = state.handle(.character("j"))
        _ = DashboardRenderer.render(state, width: 120, height: 30)
        #expect(state.rowModelBuilds == built + 1)
    }

    @Test func theActivityColumnIsAgedAtEachFrame() {
        var state = Self.longState(3)
        #expect(DashboardRenderer.render(state, width: 120, height: 20).plainText.contains("1s ago"))
        state.now = Timestamp(millisecondsSinceEpoch: R.now.millisecondsSinceEpoch + 120_000)
        let later = DashboardRenderer.render(state, width: 120, height: 20).plainText
        #expect(later.contains("2m ago") && !later.contains("1s ago"))
    }

    /// Only the rows in view are drawn; the window is the one the whole table would show (the
    /// selection a third of the way down, notes counted as lines).
    @Test func theWindowIsTheOneOfTheWholeTable() {
        var state = Self.longState(60)
        let height = 21
        let tableHeight = height - 5
        // The whole table as lines: each row's name, then its note.
        var lines: [String] = []
        var firstLine: [TaskID: Int] = [:]
        for row in state.rows() {
            firstLine[row.id!] = lines.count
            lines.append("○ " + row.name + " ")
            lines += row.notes
        }
        for step in 0..<60 {
            let selected = state.selected!
            let start = max(0, min(firstLine[selected]! - tableHeight / 3, lines.count - tableHeight))
            let frame = DashboardRenderer.render(state, width: 160, height: height).plainText.split(
                separator: "\n", omittingEmptySubsequences: false)
            for offset in 0..<tableHeight {
                #expect(frame[2 + offset].contains(lines[start + offset]), "step \(step), line \(offset): \(frame[2 + offset])")
            }
            #expect(frame[2 + firstLine[selected]! - start].hasPrefix("❯ "))
            _ = state.handle(.character("j"))
        }
    }
}
