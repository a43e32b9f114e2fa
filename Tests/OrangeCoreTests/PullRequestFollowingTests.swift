import OrangeCore
import Testing

/// The pure side of pull requests: gh's JSON, the follow decision, the schedule, the PR text,
/// the project setting and the TASK.md keys.
@Suite struct PullRequestFollowingTests {
    /// `gh pr view --json state,reviewDecision,statusCheckRollup,mergedAt,url`, as gh prints it.
    static let openJSON = """
        {"mergedAt":null,"reviewDecision":"APPROVED","state":"OPEN","statusCheckRollup":[\
        {"__typename":"CheckRun","completedAt":"2026-12-01T10:00:00Z","conclusion":"SUCCESS","detailsUrl":"https://x","name":"build","startedAt":"2026-12-01T09:58:00Z","status":"COMPLETED","workflowName":"CI"},\
        {"__typename":"StatusContext","context":"ci/lint","startedAt":"2026-12-01T09:58:00Z","state":"PENDING","targetUrl":"https://x"}],\
        "url":"https://github.com/o/r/pull/7"}
        """

    @Test func parsesGhViewJSON() throws {
        let status = try PullRequestStatus.parse(ghJSON: Self.openJSON).get()
        #expect(status.state == .open)
        #expect(status.reviewDecision == "APPROVED")
        #expect(status.checks == .pending)
        #expect(status.url == "https://github.com/o/r/pull/7")
        #expect(status.compact == "open … approved")

        let merged = try PullRequestStatus.parse(
            ghJSON: #"{"mergedAt":"2026-12-01T11:00:00Z","reviewDecision":"","state":"MERGED","statusCheckRollup":[],"url":"u"}"#
        ).get()
        #expect(merged.state == .merged && merged.reviewDecision == nil && merged.checks == .none && merged.mergedAt != nil)
        // Not gh's shape: a reason, never a crash.
        #expect((try? PullRequestStatus.parse(ghJSON: "not json").get()) == nil)
        #expect((try? PullRequestStatus.parse(ghJSON: #"{"state":"WEIRD"}"#).get()) == nil)
    }

    @Test func checksRollUpFailFirstThenPendingThenPass() throws {
        func checks(_ entries: String) throws -> PullRequestStatus.Checks {
            try PullRequestStatus.parse(ghJSON: #"{"state":"OPEN","statusCheckRollup":[\#(entries)]}"#).get().checks
        }
        #expect(try checks(#"{"status":"COMPLETED","conclusion":"SUCCESS"}"#) == .pass)
        #expect(try checks(#"{"status":"COMPLETED","conclusion":"SUCCESS"},{"status":"IN_PROGRESS","conclusion":""}"#) == .pending)
        #expect(try checks(#"{"status":"IN_PROGRESS","conclusion":""},{"state":"FAILURE"}"#) == .fail)
        #expect(try checks(#"{"status":"COMPLETED","conclusion":"TIMED_OUT"}"#) == .fail)
        #expect(try checks(#"{"state":"SUCCESS"},{"status":"COMPLETED","conclusion":"SKIPPED"}"#) == .pass)
        #expect(try checks("") == .none)
    }

    @Test func mergedFinishesClosedCancelsOnlyInReview() {
        let merged = PullRequestStatus(state: .merged, reviewDecision: "APPROVED", checks: .pass, mergedAt: "t", url: "u")
        let closed = PullRequestStatus(state: .closed, url: "https://github.com/o/r/pull/3")
        let open = PullRequestStatus(state: .open, reviewDecision: "CHANGES_REQUESTED", checks: .fail)
        let shownMerged = PullRequestStatus(state: .merged, reviewDecision: "APPROVED", checks: .pass)
        for status in [TaskStatus.reviewing, .reviewed] {
            #expect(PullRequestFollowing.decide(status: status, recorded: nil, observed: merged) == .finish(shownMerged))
            #expect(
                PullRequestFollowing.decide(status: status, recorded: nil, observed: closed)
                    == .cancel(
                        PullRequestStatus(state: .closed),
                        reason: "pull request closed without merging (https://github.com/o/r/pull/3)"))
            #expect(PullRequestFollowing.decide(status: status, recorded: nil, observed: open) == .record(open))
            #expect(PullRequestFollowing.decide(status: status, recorded: open, observed: open) == .nothing)
        }
        // A task back at work or finished is never moved by its PR; only what is shown changes.
        for status in [TaskStatus.working, .done, .cancelled, .stuck] {
            #expect(PullRequestFollowing.decide(status: status, recorded: nil, observed: merged) == .record(shownMerged))
        }
        #expect(PullRequestFollowing.followedStatuses == [.reviewing, .reviewed])
        // The engine may make both moves, by the transition table.
        for from in PullRequestFollowing.followedStatuses {
            #expect(TransitionTable.allows(from, .done, by: .engine))
            #expect(TransitionTable.allows(from, .cancelled, by: .engine))
        }
    }

    @Test func scheduleSpreadsFirstChecksAndBacksOffExponentially() {
        let schedule = PullRequestSchedule(intervalSeconds: 60, maximumBackoffSeconds: 600)
        let second: UInt64 = 1_000_000_000
        let now: UInt64 = 1000 * second
        // First looks fall inside one interval, the same place for the same task, spread for many.
        let firsts = (0..<50).map { schedule.firstCheck(of: tid("t\($0)"), now: now) }
        #expect(firsts.allSatisfy { $0 >= now && $0 < now + 60 * second })
        #expect(Set(firsts).count > 40)
        #expect(schedule.firstCheck(of: tid("t1"), now: now) == firsts[1])
        // An answer: one interval; failures double it up to the maximum.
        #expect(schedule.nextCheck(now: now, failures: 0) == now + 60 * second)
        #expect(schedule.nextCheck(now: now, failures: 1) == now + 120 * second)
        #expect(schedule.nextCheck(now: now, failures: 3) == now + 480 * second)
        #expect(schedule.nextCheck(now: now, failures: 4) == now + 600 * second)
        #expect(schedule.nextCheck(now: now, failures: 400) == now + 600 * second)
    }

    @Test func titleAndBodyComeFromTheTaskAndTheTemplate() {
        var task = TaskRecord(id: tid("abc"), project: ProjectName(validating: "coffee")!, branch: "oauth-db")
        #expect(PullRequestText.title(for: task) == "oauth-db")
        task.description = "Add the OAuth schema\nwith a second line"
        task.body = "\n## Notes\nDONE: tables\n"
        #expect(PullRequestText.title(for: task) == "Add the OAuth schema")
        let body = PullRequestText.body(for: task, template: "## Checklist\n- [ ] tests\n")
        #expect(
            body
                == "Add the OAuth schema\nwith a second line\n\n## Notes\nDONE: tables\n\n## Checklist\n- [ ] tests\n\nOpened by orange for task abc (branch `oauth-db`).\n"
        )
        task.body = String(repeating: "x", count: 5000)
        #expect(PullRequestText.body(for: task, template: nil).count < 4200)
        #expect(PullRequestText.templatePaths.first == ".github/pull_request_template.md")
    }

    @Test func mergeSettingsRoundTripAndOldRegistriesStayByteForByte() throws {
        let plain = #"[{"name":"coffee","path":"/src/coffee","default_branch":"main","pool_size":2}]"#
        var project = try Project.decodeRegistry(Array(plain.utf8)).get()[0]
        #expect(project.merging == ProjectMergeSettings())
        #expect(JSONValue.array([project.json]).rendered() == plain)
        project.merging = ProjectMergeSettings(route: .pr, strategy: .squash)
        let written = JSONValue.array([project.json]).rendered()
        #expect(written.contains(#""merge_via":"pr","pr_merge":"squash""#))
        #expect(try Project.decodeRegistry(Array(written.utf8)).get()[0].merging == project.merging)
        let bad = #"[{"name":"coffee","path":"/src/coffee","merge_via":"fax"}]"#
        #expect((try? Project.decodeRegistry(Array(bad.utf8)).get()) == nil)
        #expect(PullRequestMergeStrategy.squash.ghFlag == "--squash")
    }

    @Test func recordedStateLivesInTaskFileKeysAndKeepsOtherKeys() throws {
        let text = """
            ---
            id: abc
            project: coffee
            branch: oauth-db
            status: reviewing
            pr_url: https://github.com/o/r/pull/7
            my_key: kept
            ---
            body stays
            """
        var task = try TaskRecord.parse(text)
        #expect(task.pullRequestStatus == nil)
        task.pullRequestStatus = PullRequestStatus(state: .open, reviewDecision: "APPROVED", checks: .fail)
        let again = try TaskRecord.parse(task.rendered())
        #expect(again.pullRequestStatus == PullRequestStatus(state: .open, reviewDecision: "APPROVED", checks: .fail))
        #expect(again.extra.contains { $0.key == "my_key" })
        #expect(again.body == "body stays")
        var cleared = again
        cleared.pullRequestStatus = nil
        #expect(!cleared.rendered().contains("pr_state"))
        #expect(cleared.rendered().contains("my_key: kept"))
    }
}

@Suite struct DashboardPullRequestTests {
    @Test func pOpensThePullRequestOrCreatesOneForATaskInReview() {
        var state = DashboardRendererTests.seedState()
        state.selected = tid("db")  // reviewing, no PR
        #expect(state.handle(.character("p")) == [.command(["task", "pr", "db"], task: tid("db"))])
        var task = state.graph[tid("db")]!
        task.prURL = "https://github.com/o/r/pull/7"
        task.pullRequestStatus = PullRequestStatus(state: .open, reviewDecision: "APPROVED", checks: .pass)
        state.graph.upsert(task)
        #expect(state.handle(.character("p")) == [.openURL("https://github.com/o/r/pull/7")])
        let row = state.rows().first { $0.id == tid("db") }!
        #expect(row.statusText == "reviewing PR✓")
        #expect(row.notes.contains("PR approved (p opens it)"))
        #expect(DashboardKeys.footer(for: row, state: state).contains("p:PR"))
        // A pending task has nothing to open.
        state.selected = tid("api")
        #expect(state.handle(.character("p")) == [])
        #expect(state.message?.isError == true)
    }
}
