import OrangeCore
import Testing

@Suite struct ReviewNotesTests {
    let time = Timestamp(millisecondsSinceEpoch: 1_796_000_000_000)

    @Test func roundsAreNumberedAndAddedToTheEndOfTheReviewSection() {
        let body = "# Task\n\nDo it.\n\n## Notes\nkept\n"
        let (first, one) = ReviewNotes.appending("use tabs", at: time, to: body)
        #expect(one == 1)
        #expect(first.hasPrefix(body.trimmingTrailingNewlines() + "\n\n## Review\n\n### Round 1 ("), "\(first)")
        #expect(first.hasSuffix("\n\nuse tabs\n"), "\(first)")
        // A section after the review: the next round stays inside the review section.
        let (second, two) = ReviewNotes.appending("rename x\nto count", at: time, to: first + "\n## Handoff\nDONE\n")
        #expect(two == 2 && ReviewNotes.rounds(in: second) == 2)
        let review = String(second.split(separator: "## Handoff")[0])
        #expect(review.contains("### Round 2 (") && review.contains("rename x\nto count"), "\(second)")
        #expect(second.hasSuffix("## Handoff\nDONE\n"), "\(second)")
        #expect(ReviewNotes.latest(in: second)?.round == 2)
        #expect(ReviewNotes.latest(in: second)?.request == "rename x\nto count")
        #expect(ReviewNotes.latest(in: body) == nil && ReviewNotes.rounds(in: "") == 0)
    }

    @Test func aRespawnedAgentOfAWorkingTaskIsToldTheLatestRequest() {
        var task = TaskRecord(
            id: TaskID(validating: "abc123")!, project: ProjectName(validating: "p")!, branch: "b", harness: "claude", status: .working)
        task.body = ReviewNotes.appending("handle the empty list", at: time, to: "").body
        #expect(Harnesses.respawnPrompt(for: task).contains("review round 1"))
        #expect(Harnesses.respawnPrompt(for: task).contains("handle the empty list"))
        task.status = .reviewing
        #expect(!Harnesses.respawnPrompt(for: task).contains("handle the empty list"))
    }
}

@Suite struct AttentionTests {
    let time = Timestamp(millisecondsSinceEpoch: 1_796_000_000_000)

    func change(_ from: TaskStatus, _ to: TaskStatus, by actor: TransitionActor, cause: String? = nil) -> HistoryEvent {
        .statusChanged(from: from, to: to, by: actor, cause: cause, at: time)
    }
    var notified: HistoryEvent { HistoryEvent(type: Attention.notifiedType, timestamp: time, fields: [("event", "reviewing")]) }

    @Test func whatNeedsAPersonIsDueOnceAndOnlyUntilTheTaskMovesOn() {
        let spawned = [change(.pending, .working, by: .engine), HistoryEvent(type: "agent.spawned", timestamp: time)]
        #expect(Attention.due(in: spawned) == nil)
        let reviewing = spawned + [change(.working, .reviewing, by: .agent)]
        #expect(Attention.due(in: reviewing)?.event == "reviewing" && Attention.due(in: reviewing)?.line == 2)
        #expect(Attention.due(in: reviewing + [notified]) == nil)
        // A person's command needs no notification; an edit found in TASK.md does.
        #expect(Attention.due(in: reviewing + [notified, change(.reviewing, .reviewed, by: .human)]) == nil)
        #expect(Attention.due(in: spawned + [change(.working, .stuck, by: .human)]) == nil)
        #expect(
            Attention.due(in: spawned + [change(.working, .stuck, by: .human, cause: "TASK.md edited outside orange")])?.event == "stuck")
        // Back to work before anyone was told: nothing is due any more.
        #expect(Attention.due(in: reviewing + [change(.reviewing, .working, by: .agent)]) == nil)
        #expect(Attention.due(in: [change(.pending, .failed, by: .engine)])?.event == "failed")
        #expect(Attention.due(in: [change(.delegated, .done, by: .engine)])?.event == "done")
        #expect(Attention.due(in: [change(.reviewed, .done, by: .engine)]) == nil)
        // A pull request's fate, whatever the status line orange wrote after it.
        let merged = [HistoryEvent(type: "pr.merged", timestamp: time), change(.reviewed, .done, by: .engine)]
        #expect(Attention.due(in: merged)?.event == "pr.merged")
        let closed = [HistoryEvent(type: "pr.closed", timestamp: time), change(.reviewing, .cancelled, by: .engine)]
        #expect(Attention.due(in: closed)?.event == "pr.closed")
    }

    @Test func theHookIsAnArgvFilledInOnePass() throws {
        let config = try JSONValue.parse(
            #"{"notify": {"command": ["rec", "{event}:{id}", "{description}", "{nope}"], "timeout_seconds": 3}}"#)
        let hook = try #require(try NotifyHook.parse(config, file: "c"))
        #expect(hook.timeoutSeconds == 3 && hook.wants("stuck"))
        #expect(
            hook.argv(["event": "stuck", "id": "a1", "description": "say {id}; rm -rf /"]) == [
                "rec", "stuck:a1", "say {id}; rm -rf /", "{nope}",
            ])
        #expect(try NotifyHook.parse(JSONValue.parse(#"{"notify": "notify-send"}"#), file: "c")?.command.first == "notify-send")
        #expect(try NotifyHook.parse(JSONValue.parse(#"{"notify": ["a", "b"]}"#), file: "c")?.command == ["a", "b"])
        #expect(try NotifyHook.parse(JSONValue.parse(#"{"harnesses": {}}"#), file: "c") == nil)
        let only = try NotifyHook.parse(JSONValue.parse(#"{"notify": {"command": ["a"], "events": ["stuck"]}}"#), file: "c")
        #expect(only?.wants("stuck") == true && only?.wants("reviewing") == false)
        for bad in [#"{"notify": "echo hi"}"#, #"{"notify": []}"#, #"{"notify": {"command": ["a"], "timeout_seconds": 0}}"#] {
            #expect(throws: HarnessConfigError.self) { try NotifyHook.parse(JSONValue.parse(bad), file: "c") }
        }
    }

    @Test func aProjectsSetupRoundTripsThroughTheRegistry() throws {
        let project = Project(
            name: ProjectName(validating: "p")!, path: "/r", defaultBranch: "main",
            setup: WorktreeSetup(command: ["npm", "ci"], timeoutSeconds: 600))
        let decoded = try Project.from(json: project.json).get()
        #expect(decoded == project)
        #expect(Project(name: ProjectName(validating: "p")!, path: "/r", defaultBranch: "main").json["setup"] == nil)
        let bad = Project.from(json: try JSONValue.parse(#"{"name": "p", "path": "/r", "setup": {"command": "npm ci"}}"#))
        #expect(throws: ProjectDecodeError.self) { try bad.get() }
        #expect(WorktreeSetup.tail(of: (1...30).map { "line \($0)" }.joined(separator: "\n")).hasPrefix("line 11\n"))
    }
}

@Suite struct DashboardRequestChangesTests {
    @Test func rTypesARequestOnTheMessageLineAndEnterSendsIt() {
        var state = DashboardRendererTests.seedState()
        state.selected = tid("db")
        #expect(state.handle(.character("r")) == [])
        #expect(state.mode == .requestChanges(tid("db"), text: ""))
        #expect(state.handle(.enter) == [] && state.message?.isError == true, "an empty request is not sent")
        for c in "-x; use tabs" { _ = state.handle(.character(c)) }
        _ = state.handle(.backspace)
        let frame = DashboardRenderer.render(state, width: 80, height: 20)
        #expect(frame.lines.contains { $0.text.contains("Changes for oauth-db: -x; use tab") }, "\(frame.lines.map(\.text))")
        #expect(frame.cursor != nil)
        #expect(state.handle(.enter) == [.command(["task", "request-changes", "db", "--", "-x; use tab"], task: tid("db"))])
        #expect(state.mode == .list)
        // Esc drops it; a task not in review refuses the key.
        _ = state.handle(.character("r"))
        _ = state.handle(.escape)
        #expect(state.mode == .list)
        state.selected = tid("c2")
        #expect(state.handle(.character("r")) == [])
        #expect(state.message?.text == "cannot request changes of a task that is working")
    }
}
