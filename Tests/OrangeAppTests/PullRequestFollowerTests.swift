import OrangeCore
import OrangeSystem
import OrangeTestSupport
import Synchronization
import Testing

@testable import OrangeApp

/// The follower with a fake clock and a fake gh: how many calls it makes, and when.
@Suite struct PullRequestFollowerTests {
    /// Answers `gh pr view` with an open PR, or fails; counts the calls per URL.
    final class FakeGh: ProcessRunning, @unchecked Sendable {
        let calls = Mutex<[String]>([])
        let failing = Mutex(false)

        func run(_ argv: [String], environment: [String: String], input: String?, timeoutSeconds: Double?) throws -> ProcessResult {
            calls.withLock { $0.append(argv[3]) }
            if failing.withLock({ $0 }) { return ProcessResult(argv: argv, exitCode: 1, stdout: "", stderr: "HTTP 502\n") }
            return ProcessResult(
                argv: argv, exitCode: 0, stdout: #"{"state":"OPEN","reviewDecision":"","statusCheckRollup":[],"url":"\#(argv[3])"}"#,
                stderr: "")
        }
    }

    static func setUp(tasks count: Int) -> (PullRequestFollower, FakeClock, FakeGh, InMemoryTaskStore) {
        let clock = FakeClock()
        let gh = FakeGh()
        let coffee = ProjectName(validating: "coffee")!
        let records = (0..<count).map { n in
            TaskRecord(
                id: TaskID(validating: "t\(n)")!, project: coffee, branch: "b\(n)", status: .reviewing,
                prURL: "https://github.com/o/r/pull/\(n)")
        }
        let store = InMemoryTaskStore(records)
        let runner = ProcessRunner()
        let ids = SequentialTaskIDs()
        var context = AppContext(
            home: "/nonexistent", tasks: store, projects: InMemoryProjectStore(), clock: clock, newTaskID: { ids.next() },
            git: RealGit(runner: runner), tmux: RealTmux(runner: runner, socket: "orange-pr-follower-test-none"),
            pool: FilePoolStore(layout: DataDirectory(home: "/nonexistent")), harnesses: { [] }, isInstalled: { _ in false },
            executablePath: "/bin/false", runInteractive: { _ in 1 }, logger: RecordingLogger(), workingDirectory: "/",
            environment: ["PATH": "/usr/bin"], readStandardInput: { "" }, confirm: { _ in false }, realPath: { $0 },
            diagnostics: { _ in }, readFile: { _ in nil })
        context.processes.runner = gh
        context.processes.locateProgram = { _, _ in "/usr/bin/gh" }
        let follower = PullRequestFollower(context: context, intervalSeconds: 60, emit: { _, _ in })
        for record in records { follower.note(record.id, PullRequestFollower.candidate(record)) }
        return (follower, clock, gh, store)
    }

    @Test func firstLooksAreSpreadOverOneIntervalThenOneLookPerInterval() throws {
        let (follower, clock, gh, store) = Self.setUp(tasks: 40)
        follower.checkDue()
        // Not all forty at once: a quarter of the interval sees about a quarter of them.
        clock.advance(milliseconds: 15_000)
        follower.checkDue()
        let early = gh.calls.withLock { $0.count }
        #expect(early > 0 && early < 25, "\(early)")
        clock.advance(milliseconds: 45_000)
        follower.checkDue()
        #expect(gh.calls.withLock { Set($0).count } == 40)
        #expect(gh.calls.withLock { $0.count } == 40)
        // Nothing more until an interval after each one's look.
        follower.checkDue()
        #expect(gh.calls.withLock { $0.count } == 40)
        clock.advance(milliseconds: 60_000)
        follower.checkDue()
        #expect(gh.calls.withLock { $0.count } == 80)
        // The state seen was recorded in each TASK.md (and only once: it did not change).
        let recorded = try store.scan(project: nil).tasks.filter { $0.pullRequestStatus?.state == .open }
        #expect(recorded.count == 40)
    }

    @Test func failuresDoubleTheWaitAndAnAnswerResetsIt() {
        let (follower, clock, gh, _) = Self.setUp(tasks: 1)
        gh.failing.withLock { $0 = true }
        func count() -> Int { gh.calls.withLock { $0.count } }
        clock.advance(milliseconds: 60_000)
        follower.checkDue()
        #expect(count() == 1)
        // 2 intervals, then 4, then 8: never sooner, whatever the ticks.
        for (wait, expected) in [(119_000, 1), (1_000, 2), (239_000, 2), (1_000, 3), (479_000, 3), (1_000, 4)] {
            clock.advance(milliseconds: Int64(wait))
            follower.checkDue()
            #expect(count() == expected, "after \(wait) ms")
        }
        gh.failing.withLock { $0 = false }
        clock.advance(milliseconds: 960_000)
        follower.checkDue()
        #expect(count() == 5)
        clock.advance(milliseconds: 60_000)
        follower.checkDue()
        #expect(count() == 6)
    }
}
