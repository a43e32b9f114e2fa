import OrangeCore
import Testing

/// Golden frames: the renderer's plain text for fixed states and sizes.
@Suite struct DashboardRendererTests {
    static let coffee = ProjectName(validating: "coffee")!
    static let now = Timestamp(millisecondsSinceEpoch: 1_000_000_000)

    static func record(
        _ id: String, _ branch: String, _ status: TaskStatus, ago seconds: Int64, description: String = "",
        blockedBy: [String] = [], parent: String? = nil, children: [String] = [], session: Bool = false
    ) -> TaskRecord {
        TaskRecord(
            id: tid(id), project: coffee, branch: branch, status: status, description: description,
            parent: parent.map(tid), blockedBy: blockedBy.map(tid), children: children.map(tid),
            workspace: session ? "coffee--1" : nil, tmuxSession: session ? "coffee/\(branch)" : nil,
            createdAt: Timestamp(millisecondsSinceEpoch: now.millisecondsSinceEpoch - seconds * 1000),
            updatedAt: Timestamp(millisecondsSinceEpoch: now.millisecondsSinceEpoch - seconds * 1000))
    }

    /// The seed's two flows half way: a chain with its head in review, a delegation at 1/3.
    static func seedState() -> DashboardState {
        let graph = TaskGraph([
            record("db", "oauth-db", .reviewing, ago: 5, description: "Schema", session: true),
            record("api", "oauth-api", .pending, ago: 50, blockedBy: ["db"]),
            record("ui", "oauth-ui", .pending, ago: 60, blockedBy: ["api"]),
            record("add", "add-oauth", .delegated, ago: 120, description: "Add OAuth", children: ["c1", "c2", "c3"]),
            record("c1", "oauth-c1", .done, ago: 30, parent: "add"),
            record("c2", "oauth-c2", .working, ago: 10, parent: "add", session: true),
            record("c3", "oauth-c3", .pending, ago: 100, parent: "add"),
        ])
        var state = DashboardState(graph: graph, project: coffee, now: now)
        state.poolSizes = [coffee: 2]
        state.sessionsKnown = true
        state.sessions = ["coffee/oauth-db": true, "coffee/oauth-c2": false]
        state.stats = [tid("db"): WorkStats(commits: 2, added: 10, removed: 3)]
        state.selected = tid("db")
        return state
    }

    @Test func nestedViewAt80x24() {
        let frame = DashboardRenderer.render(Self.seedState(), width: 80, height: 16)
        #expect(
            frame.plainText == """
                 coffee  pool: 2/2  engine: running  [nested · all]
                  TASK                           STATUS            COMMITS CHANGES     ACTIVITY
                ❯ ● oauth-db                     reviewing               2 +10 -3      5s ago
                  ○ oauth-api                    pending                               50s ago
                    ⟵ blocked by oauth-db (reviewing)
                  ○ oauth-ui                     pending                               1m ago
                    ⟵ blocked by oauth-api (pending)
                  ○ add-oauth                    delegated (1/3)                       2m ago
                    ○ oauth-c1                   done                                  30s ago
                    ✗ oauth-c2                   working                               10s ago
                    ○ oauth-c3                   pending (ready)                       1m ago


                └ Schema (db)

                 j/k:move Enter:attach a:approve r:changes v:view x:cancel c:create f:filter t:…
                """)
    }

    @Test func flatViewShowsTheParentColumnAndDropsChangesFirst() {
        var state = Self.seedState()
        state.layout = .flat
        state.selected = tid("c2")
        let frame = DashboardRenderer.render(state, width: 80, height: 13)
        #expect(
            frame.plainText == """
                 coffee  pool: 2/2  engine: running  [flat · all]
                  TASK                       STATUS            PARENT          COMMITS ACTIVITY
                  ● oauth-db                 reviewing                               2 5s ago
                ❯ ✗ oauth-c2                 working           add-oauth               10s ago
                  ○ oauth-api                pending                                   50s ago
                    ⟵ blocked by oauth-db (reviewing)
                  ○ oauth-ui                 pending                                   1m ago
                    ⟵ blocked by oauth-api (pending)
                  ○ oauth-c3                 pending (ready)   add-oauth               1m ago
                  ○ add-oauth                delegated (1/3)                           2m ago
                └ (no description) (c2)

                 j/k:move Enter:respawn v:view x:cancel c:create f:filter t:nested g:graph ?:he…
                """)
    }

    @Test func narrowTerminalKeepsTheNameAndStatus() {
        let frame = DashboardRenderer.render(Self.seedState(), width: 44, height: 10)
        let lines = frame.plainText.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines[1] == "  TASK                    STATUS")
        #expect(lines[2] == "❯ ● oauth-db              reviewing")
        #expect(lines.allSatisfy { TerminalText.width($0) <= 44 })
        #expect(lines.count == 10)
    }

    @Test func everyLineFitsAnySize() {
        var state = Self.seedState()
        state.message = .init(String(repeating: "long message ", count: 20), isError: true)
        for width in [20, 33, 50, 79, 80, 81, 120, 200] {
            for height in [8, 9, 24, 60] {
                let frame = DashboardRenderer.render(state, width: width, height: height)
                #expect(frame.lines.count == height, "height \(height)")
                #expect(frame.lines.allSatisfy { $0.width <= width }, "width \(width)")
            }
        }
    }

    @Test func escapeSequencesInTaskTextNeverReachTheTerminal() {
        var state = Self.seedState()
        var db = state.graph[tid("db")]!
        db.description = "evil \u{1B}]0;pwned\u{07} \u{1B}[2J text\r\nmore"
        db.branch = "br\u{1B}[31manch"
        state.graph.upsert(db)
        let ansi = DashboardRenderer.render(state, width: 100, height: 12).ansi(colour: true)
        #expect(!ansi.contains("\u{1B}]0;"))
        #expect(!ansi.contains("\u{1B}[2J"))
        #expect(!ansi.contains("\u{1B}[31manch"))
        #expect(!ansi.contains("\u{07}"))
        #expect(ansi.contains("br\\u{1b}[31manch"))
        db.description = "right\u{202E}txet"
        state.graph.upsert(db)
        #expect(DashboardRenderer.render(state, width: 100, height: 12).plainText.contains("right\\u{202e}txet"))
    }

    @Test func noColourLeavesOnlyBoldDimAndReverse() {
        var state = Self.seedState()
        state.message = .init("boom", isError: true)
        let plain = DashboardRenderer.render(state, width: 80, height: 16).ansi(colour: false)
        for code in ["31", "32", "33", "36"] { #expect(!plain.contains("\u{1B}[\(code)m")) }
        #expect(plain.contains("\u{1B}[1m"))
        let coloured = DashboardRenderer.render(state, width: 80, height: 16).ansi(colour: true)
        #expect(coloured.contains("\u{1B}[31m"))
    }

    @Test func invalidFilesAndCyclesAreShownOnTheirRows() {
        var state = DashboardState(
            graph: TaskGraph([
                Self.record("a", "a", .pending, ago: 1, blockedBy: ["b"]),
                Self.record("b", "b", .pending, ago: 2, blockedBy: ["a"]),
            ]), project: Self.coffee, now: Self.now)
        state.invalidFiles = [InvalidTaskFile(path: "/h/tasks/coffee/zz/TASK.md", line: 3, reason: "expected 'key: value'")]
        let text = DashboardRenderer.render(state, width: 100, height: 12).plainText
        #expect(text.contains("⚠ on a dependency cycle: a → b → a") || text.contains("⚠ on a dependency cycle: b → a → b"))
        #expect(text.contains("coffee/zz"))
        #expect(text.contains("invalid"))
        #expect(text.contains("⚠ /h/tasks/coffee/zz/TASK.md:3: expected 'key: value'"))
    }

    @Test func emptyProjectSaysHowToStart() {
        let state = DashboardState(project: Self.coffee, now: Self.now)
        let text = DashboardRenderer.render(state, width: 90, height: 10).plainText
        #expect(text.contains("No tasks in project 'coffee'. Press c to create one"))
    }

    @Test func createFormShowsEveryFieldAndPutsTheCursorAtTheEnd() {
        var state = Self.seedState()
        var form = CreateForm(project: Self.coffee)
        form[.branch] = "oauth-docs"
        form[.description] = "write docs"
        form.field = .description
        state.mode = .create(form)
        let frame = DashboardRenderer.render(state, width: 80, height: 14)
        let lines = frame.plainText.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines[3] == "  branch:      oauth-docs")
        #expect(lines[4] == "❯ description: write docs")
        #expect(frame.cursor?.row == 4)
        #expect(frame.cursor?.column == TerminalText.width("❯ description: write docs"))
    }

    @Test func pageScrollsAndSaysWhere() {
        var state = Self.seedState()
        state.mode = .page(title: "TASK.md", lines: (1...30).map { "line \($0)" }, offset: 5)
        let text = DashboardRenderer.render(state, width: 60, height: 10).plainText
        #expect(text.hasPrefix(" TASK.md\nline 6\n"))
        #expect(text.hasSuffix("j/k:scroll space:page q:back  lines 6-13 of 30"))
    }
}
