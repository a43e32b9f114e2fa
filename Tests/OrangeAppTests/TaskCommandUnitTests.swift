import OrangeCore
import OrangeTestSupport
import Testing

@testable import OrangeApp

/// The task commands over in-memory ports: validation and readiness as a user sees them, with
/// no file, git or tmux (those are the end-to-end tests' part).
struct TaskCommandUnitTests {
    private func run(_ world: InMemoryWorld, _ arguments: [String]) -> CommandOutcome {
        OrangeCLI(context: world.context).execute(arguments)
    }

    @Test func aBlockerThatDoesNotExistIsRefusedAndNothingIsWritten() throws {
        let world = InMemoryWorld()
        let outcome = run(world, ["task", "create", "api", "endpoints", "--blocked-by", "nosuch", "--no-spawn"])
        #expect(outcome.exitCode == 1)
        #expect(outcome.stderr.contains("nosuch"), "\(outcome.stderr)")
        #expect(try world.tasks.scan(project: nil).tasks.isEmpty)
    }

    @Test func aBlockerThatWouldCloseACycleIsRefused() throws {
        let world = InMemoryWorld()
        try world.add(world.task("a"), world.task("b", blockedBy: ["a"]))
        let outcome = run(world, ["task", "update", "a", "--blocked-by", "b"])
        #expect(outcome.exitCode == 1)
        #expect(outcome.stderr.contains("cycle"), "\(outcome.stderr)")
        #expect(try world.tasks.find(TaskID(validating: "a")!)?.blockedBy == [])
    }

    @Test func aBlockerInAnotherProjectIsRefused() throws {
        let world = InMemoryWorld()
        let other = ProjectName(validating: "billing")!
        try world.projects.update { $0.append(Project(name: other, path: "/in-memory/billing", defaultBranch: "main")) }
        try world.tasks.create(TaskRecord(id: TaskID(validating: "inv")!, project: other, branch: "inv"))
        let outcome = run(world, ["task", "create", "api", "endpoints", "--blocked-by", "inv", "--no-spawn"])
        #expect(outcome.exitCode == 1)
        #expect(outcome.stderr.contains("billing"), "\(outcome.stderr)")
    }

    /// A branch is one task's while that task is unfinished: a create or an update naming it is
    /// refused, naming the task that has it; a done task's branch is free again.
    @Test func aBranchInUseByAnUnfinishedTaskIsRefused() throws {
        let world = InMemoryWorld()
        try world.add(world.task("api", status: .working), world.task("old", status: .done), world.task("ui"))
        let taken = run(world, ["task", "create", "api", "again", "--no-spawn"])
        #expect(taken.exitCode == 1)
        #expect(taken.stderr.contains("task api (working) already uses branch 'api'"), "\(taken.stderr)")
        let longer = run(world, ["task", "create", "api2", "a longer name", "--no-spawn"])
        #expect(longer.exitCode == 0, "\(longer.stderr)")
        let reused = run(world, ["task", "create", "old", "after the done one", "--no-spawn"])
        #expect(reused.exitCode == 0, "\(reused.stderr)")
        let renamed = run(world, ["task", "update", "ui", "--branch", "api"])
        #expect(renamed.exitCode == 1)
        #expect(renamed.stderr.contains("task api already uses branch 'api'"), "\(renamed.stderr)")
        #expect(try world.tasks.find(TaskID(validating: "ui")!)?.branch == "ui")
    }

    @Test func theReadyListHoldsPendingTasksWhoseBlockersAreAllDone() throws {
        let world = InMemoryWorld()
        try world.add(
            world.task("schema", status: .done), world.task("api", blockedBy: ["schema"]), world.task("ui", blockedBy: ["api"]),
            world.task("docs"))
        let outcome = run(world, ["task", "list", "--ready", "--json"])
        #expect(outcome.exitCode == 0, "\(outcome.stderr)")
        let listed = try JSONValue.parse(outcome.stdout)
        let ids = Self.ids(in: listed)
        #expect(ids.sorted() == ["api", "docs"], "\(outcome.stdout)")
    }

    /// The ids of a `task list --json` answer, a bare array or `{"tasks": [...]}`.
    static func ids(in value: JSONValue) -> [String] {
        let list: [JSONValue]
        if case .array(let items) = value {
            list = items
        } else if case .array(let items)? = value["tasks"] {
            list = items
        } else {
            list = []
        }
        return list.compactMap { $0["id"]?.stringValue }
    }
}

/// Who asks the engine for the reconcile after a write.
struct ReconcileAfterWriteUnitTests {
    /// An agent's own command must not wait for the engine's worker, which may be ending this
    /// very agent's session for another command and waiting for this process to exit.
    @Test func anAgentsOwnCommandReconcilesItselfAndAPersonsAsksTheEngine() throws {
        var world = InMemoryWorld()
        try world.add(world.task("api", status: .working))
        let engine = FakeEngineReads()
        world.context.stores.engineReads = engine

        var agent = world.context
        agent.environment["ORANGE_TASK_ID"] = "api"
        _ = OrangeCLI(context: agent).execute(["task", "update", "api", "--description", "endpoints"])
        #expect(!engine.questions.contains { $0.kind == .reconcile })

        _ = OrangeCLI(context: world.context).execute(["task", "update", "api", "--description", "endpoints, paged"])
        #expect(engine.questions.contains { $0.kind == .reconcile })
    }
}
