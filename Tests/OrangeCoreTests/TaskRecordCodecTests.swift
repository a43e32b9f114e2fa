import OrangeCore
import OrangeTestSupport
import Testing

@Suite struct TaskRecordCodecTests {
    static let id = TaskID(validating: "V1StGXR8Z5jdHi6BmyT12")!
    static let project = ProjectName(validating: "coffee")!
    static let created = Timestamp(rfc3339: "2026-02-01T04:48:33.123Z")!

    func failure(_ text: String) -> FrontmatterError? {
        do {
            _ = try TaskRecord.parse(text)
            return nil
        } catch {
            return error
        }
    }

    /// A valid file with `lines` added to the front matter.
    func file(_ lines: String) -> String {
        "---\nid: abc\nproject: coffee\nstatus: pending\n" + lines + "---\n"
    }

    // MARK: - Files written by the original tool (js-yaml safeDump through gray-matter)

    @Test func readsAFreshTaskWrittenByTheOriginal() throws {
        let text = """
            ---
            id: V1StGXR8Z5jdHi6BmyT12
            project: coffee
            branch: orange-tasks/V1StGXR8Z5jdHi6BmyT12
            harness: claude
            status: pending
            description: Fix login redirect
            workspace: null
            tmux_session: null
            created_at: '2026-02-01T04:48:33.123Z'
            updated_at: '2026-02-01T04:48:33.123Z'
            ---


            """
        let record = try TaskRecord.parse(text)
        #expect(
            record
                == TaskRecord(
                    id: Self.id, project: Self.project, branch: "orange-tasks/V1StGXR8Z5jdHi6BmyT12", harness: "claude",
                    status: .pending, description: "Fix login redirect", createdAt: Self.created, updatedAt: Self.created,
                    body: "\n"
                ))
    }

    @Test func readsFoldedLongValuesAndAContextBody() throws {
        let text = """
            ---
            id: V1StGXR8Z5jdHi6BmyT12
            project: coffee
            branch: login-fix
            harness: codex
            status: working
            description: >-
              Implement OAuth login with Google and GitHub providers, including the callback
              handler, session storage and a logout button in the header
            workspace: coffee--1
            tmux_session: coffee/login-fix
            created_at: '2026-02-01T04:48:33.123Z'
            updated_at: '2026-02-01T05:00:00.000Z'
            pr_url: >-
              https://github.com/example-organisation/coffee-shop-with-a-long-name/pull/12345
            ---
            ## Context

            Users land on /home after login; they should return to the page they came from.

            """
        let record = try TaskRecord.parse(text)
        #expect(
            record.description == "Implement OAuth login with Google and GitHub providers, including the callback "
                + "handler, session storage and a logout button in the header")
        #expect(record.harness == "codex")
        #expect(record.status == .working)
        #expect(record.workspace == "coffee--1")
        #expect(record.tmuxSession == "coffee/login-fix")
        #expect(record.updatedAt == Timestamp(rfc3339: "2026-02-01T05:00:00Z"))
        #expect(record.prURL == "https://github.com/example-organisation/coffee-shop-with-a-long-name/pull/12345")
        #expect(record.body == "## Context\n\nUsers land on /home after login; they should return to the page they came from.\n")
        #expect(record.blockedBy.isEmpty && record.children.isEmpty && record.parent == nil)
    }

    @Test func readsLiteralBlocksEmptyStringsAndQuotedURLs() throws {
        let text = """
            ---
            id: abc123
            project: coffee
            branch: fix/menu
            harness: pi
            status: reviewing
            description: |-
              Two lines:
              menu and 'cart'
            workspace: coffee--2
            tmux_session: coffee/fix/menu
            created_at: '2026-02-01T04:48:33.123Z'
            updated_at: '2026-02-01T04:48:33.123Z'
            pr_url: 'https://github.com/o/coffee/pull/7'
            ---
            notes
            """
        let record = try TaskRecord.parse(text)
        #expect(record.description == "Two lines:\nmenu and 'cart'")
        #expect(record.prURL == "https://github.com/o/coffee/pull/7")
        #expect(record.body == "notes")
        let empty = try TaskRecord.parse(file("description: ''\n"))
        #expect(empty.description == "")
    }

    @Test func readsTheSeedTaskGraphExamples() throws {
        let blocked = try TaskRecord.parse("---\nid: def456\nproject: oauth\nblocked_by: [abc123]\nstatus: pending\n---\n")
        #expect(blocked.blockedBy == [TaskID(validating: "abc123")!])
        let parent = try TaskRecord.parse(
            """
            ---
            id: abc123
            project: oauth
            status: delegated
            children: [def456, ghi789]
            workspace: null
            tmux_session: null
            ---

            """)
        #expect(parent.status == .delegated)
        #expect(parent.children.map(\.rawValue) == ["def456", "ghi789"])
        let child = try TaskRecord.parse("---\nid: def456\nproject: oauth\nparent: abc123\nblocked_by: []\nstatus: working\n---\n")
        #expect(child.parent?.rawValue == "abc123")
        #expect(child.blockedBy.isEmpty)
    }

    // MARK: - Defaults and shapes

    @Test func missingOptionalKeysTakeTheirDefaults() throws {
        let record = try TaskRecord.parse(file(""))
        #expect(record.branch == "orange-tasks/abc")
        #expect(record.harness == "claude")
        #expect(record.description == "")
        #expect(record.parent == nil && record.blockedBy.isEmpty && record.children.isEmpty)
        #expect(record.workspace == nil && record.tmuxSession == nil && record.createdAt == nil && record.updatedAt == nil)
        #expect(record.prURL == nil && record.spawnFailures == 0 && record.lastError == nil && record.extra.isEmpty)
        let nulls = try TaskRecord.parse(
            file(
                "branch: null\nharness: ~\ndescription:\nparent: null\nblocked_by: null\n"
                    + "children:\ncreated_at: null\npr_url: null\nspawn_failures: null\nlast_error: null\n"))
        #expect(nulls == record)
    }

    @Test func anyScalarIsText() throws {
        #expect(try TaskRecord.parse(file("description: yes\n")).description == "yes")
        #expect(try TaskRecord.parse(file("description: 5\n")).description == "5")
        #expect(try TaskRecord.parse(file("description: \"2026-02-01\"\n")).description == "2026-02-01")
        #expect(try TaskRecord.parse(file("last_error: 'spawn failed: tmux exited 1'\n")).lastError == "spawn failed: tmux exited 1")
        #expect(try TaskRecord.parse(file("spawn_failures: 3\n")).spawnFailures == 3)
    }

    @Test func idListsAcceptFlowBlockAndSingleFormsAndDropDuplicates() throws {
        let ids = ["a1", "b2", "c3"].map { TaskID(validating: $0)! }
        #expect(try TaskRecord.parse(file("blocked_by: [a1, 'b2', \"c3\", a1]\n")).blockedBy == ids)
        #expect(try TaskRecord.parse(file("blocked_by:\n  - a1\n  - b2\n  - b2\n  - c3\n")).blockedBy == ids)
        #expect(try TaskRecord.parse(file("children:\n- a1\n- b2\n- c3\n")).children == ids)
        #expect(try TaskRecord.parse(file("blocked_by: a1\n")).blockedBy == [ids[0]])
    }

    // MARK: - Errors

    @Test(arguments: [
        ("---\nproject: coffee\nstatus: pending\n---\n", 1, "missing required key 'id'"),
        ("---\nid: abc\nstatus: pending\n---\n", 1, "missing required key 'project'"),
        ("---\nid: abc\nproject: coffee\n---\n", 1, "missing required key 'status'"),
        ("---\nid: null\nproject: coffee\nstatus: pending\n---\n", 2, "id is required and must not be null"),
        ("---\nid: ../x\nproject: coffee\nstatus: pending\n---\n", 2, "id: '../x' is not a valid task id (letters and digits only)"),
        (
            "---\nid: abc\nproject: a--b\nstatus: pending\n---\n", 3,
            "project: project name 'a--b' must not contain '--' (it separates workspace numbers)"
        ),
        (
            "---\nid: abc\nproject: coffee\nstatus: finished\n---\n", 4,
            "status: 'finished' is not a status; use one of: pending, clarification, working, delegated, reviewing, reviewed, stuck, done, failed, cancelled"
        ),
        ("---\nid: abc\nproject: coffee\nstatus: [pending]\n---\n", 4, "status must be a single value, not a list"),
    ])
    func requiredKeyErrors(_ text: String, _ line: Int, _ reason: String) {
        #expect(failure(text) == FrontmatterError(line: line, reason: reason))
    }

    @Test(arguments: [
        ("branch: -rf\n", "branch: branch '-rf' must not start with '-'"),
        ("branch: a..b\n", "branch: branch 'a..b' must not contain '..'"),
        ("harness: 'two words'\n", "harness: 'two words' must be 1 to 64 letters, digits, '.', '_' or '-'"),
        ("workspace: ../pool\n", "workspace: '../pool' must be 1 to 128 letters, digits, '.', '_' or '-'"),
        ("workspace: [a]\n", "workspace must be a single value, not a list"),
        ("tmux_session: \"a\\nb\"\n", "tmux_session must not contain control characters"),
        ("parent: ../x\n", "parent: '../x' is not a valid task id (letters and digits only)"),
        ("blocked_by: ['../x']\n", "blocked_by: '../x' is not a valid task id (letters and digits only)"),
        ("children:\n  - ok1\n  - 'a b'\n", "children: 'a b' is not a valid task id (letters and digits only)"),
        ("blocked_by: [a1, null]\n", "blocked_by: an item is empty (null); expected a task id (letters and digits only)"),
        ("created_at: yesterday\n", "created_at: 'yesterday' is not an RFC 3339 timestamp (like 2026-02-01T04:48:33.123Z)"),
        ("updated_at: '2026-02-01'\n", "updated_at: '2026-02-01' is not an RFC 3339 timestamp (like 2026-02-01T04:48:33.123Z)"),
        ("spawn_failures: -1\n", "spawn_failures: '-1' is not a whole number (0 or more)"),
        ("spawn_failures: 1.5\n", "spawn_failures: '1.5' is not a whole number (0 or more)"),
        ("spawn_failures: 99999999999\n", "spawn_failures: '99999999999' is not a whole number (0 or more)"),
        ("pr_url: [a, b]\n", "pr_url must be a single value, not a list"),
    ])
    func fieldErrorsPointAtTheKeyLine(_ lines: String, _ reason: String) {
        #expect(failure(file(lines)) == FrontmatterError(line: 5, reason: reason))
    }

    // MARK: - Writing

    @Test func writesKnownKeysInOrderThenExtrasThenTheBody() {
        var record = TaskRecord(
            id: Self.id, project: Self.project, branch: "login-fix", status: .working,
            description: "Fix: the login", blockedBy: [TaskID(validating: "abc")!, TaskID(validating: "9z")!],
            workspace: "coffee--1", tmuxSession: "coffee/login-fix", createdAt: Self.created,
            updatedAt: Self.created.adding(milliseconds: 1000), prURL: "https://github.com/o/r/pull/7",
            spawnFailures: 2, lastError: "tmux: no server\nretrying",
            extra: [
                FrontmatterEntry(key: "priority", value: .plain("high")),
                FrontmatterEntry(key: "status", value: .plain("done")),
                FrontmatterEntry(key: "labels", value: .list([.plain("ui"), .string("needs review")])),
            ],
            body: "## Notes\n"
        )
        #expect(
            record.rendered() == """
                ---
                id: V1StGXR8Z5jdHi6BmyT12
                project: coffee
                branch: login-fix
                harness: claude
                status: working
                description: 'Fix: the login'
                parent: null
                blocked_by: [abc, '9z']
                children: []
                workspace: coffee--1
                tmux_session: coffee/login-fix
                created_at: '2026-02-01T04:48:33.123Z'
                updated_at: '2026-02-01T04:48:34.123Z'
                pr_url: https://github.com/o/r/pull/7
                spawn_failures: 2
                last_error: |-
                  tmux: no server
                  retrying
                priority: high
                labels: [ui, needs review]
                ---
                ## Notes

                """)
        record.spawnFailures = 0
        record.prURL = nil
        record.lastError = nil
        record.createdAt = nil
        record.updatedAt = nil
        let text = record.rendered()
        #expect(!text.contains("spawn_failures") && !text.contains("pr_url") && !text.contains("last_error"))
        #expect(!text.contains("created_at") && !text.contains("updated_at"))
    }

    @Test func unknownKeysAndTheBodySurviveAStatusChange() throws {
        let body = "\n# Plan\r\n\n---\nnot front matter: x\n\u{301}é\n\n"
        let text =
            "---\nzeta: 'z'\nid: abc\nowner: me # who\nproject: coffee\nstatus: pending\n"
            + "labels:\n  - ui\n  - 'a, b'\nestimate: 3\nnote: null\n---" + "\n" + body
        var record = try TaskRecord.parse(text)
        #expect(record.extra.map(\.key) == ["zeta", "owner", "labels", "estimate", "note"])
        record.status = .working
        let again = try TaskRecord.parse(record.rendered())
        #expect(again.status == .working)
        #expect(
            again.extra == [
                FrontmatterEntry(key: "zeta", value: .plain("z")),
                FrontmatterEntry(key: "owner", value: .plain("me")),
                FrontmatterEntry(key: "labels", value: .list([.plain("ui"), .string("a, b")])),
                FrontmatterEntry(key: "estimate", value: .plain("3")),
                FrontmatterEntry(key: "note", value: .null),
            ])
        #expect(Array(again.body.utf8) == Array(body.utf8))
    }

    // MARK: - Round trip

    @Test func generatedRecordsRoundTripExactly() throws {
        var gen = NastyYAMLGenerator(rng: SeededRandom(seed: 2026))
        let projects = ["coffee", "a", "my.project_2", "X-1"]
        let branches = ["main", "orange-tasks/abc", "feature/é-login", "fix_1.2"]
        let sessions = ["coffee/login", "a b", "it's: #1", "😀"]
        for _ in 0..<1500 {
            func maybe<T>(_ make: () -> T) -> T? { gen.int(2) == 0 ? nil : make() }
            let ids = (0..<gen.int(4)).map { _ in TaskID.generate(using: &gen.rng) }
            var extraDoc = gen.document()
            extraDoc.entries.removeAll { TaskRecord.knownKeys.contains($0.key) }
            // Extras as a file would hold them: read once, so plain/quoted is settled.
            let extras = try FrontmatterCodec.parse(FrontmatterCodec.render(extraDoc)).entries
            let record = TaskRecord(
                id: TaskID.generate(using: &gen.rng), project: ProjectName(validating: projects[gen.int(4)])!,
                branch: branches[gen.int(4)], harness: ["claude", "pi", "codex", "1"][gen.int(4)],
                status: TaskStatus.allCases[gen.int(TaskStatus.allCases.count)], description: gen.text(),
                parent: maybe { TaskID.generate(using: &gen.rng) }, blockedBy: ids, children: Array(ids.reversed()),
                workspace: maybe { "coffee--\(gen.int(9))" }, tmuxSession: maybe { sessions[gen.int(4)] },
                createdAt: maybe { Timestamp(millisecondsSinceEpoch: Int64(gen.int(4_000_000_000_000))) },
                updatedAt: maybe { Timestamp(millisecondsSinceEpoch: Int64(gen.int(4_000_000_000_000))) },
                prURL: maybe { gen.text() }, spawnFailures: gen.int(3), lastError: maybe { gen.text() },
                extra: extras, body: gen.body()
            )
            let text = record.rendered()
            let back: TaskRecord
            do {
                back = try TaskRecord.parse(text)
            } catch {
                Issue.record("\(error) reading \(text.debugDescription)")
                continue
            }
            #expect(back == record, "\(text.debugDescription)")
            #expect(Array(back.description.unicodeScalars) == Array(record.description.unicodeScalars))
            #expect(Array(back.body.utf8) == Array(record.body.utf8))
            #expect(back.rendered() == text)
        }
    }
}
