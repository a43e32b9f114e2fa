import OrangeCore
import Synchronization
import Testing

@testable import OrangeApp

/// The project's set-up command before an agent starts, over fakes: where it runs, what it is
/// told, and the `setup.log` kept beside the task's TASK.md (through the worktree folders' port).
struct WorktreeSetupUnitTests {
    /// Answers every command with the result given, and remembers what it was asked to run.
    final class ScriptedRunner: ProcessRunning {
        let exitCode: Int32
        let calls = Mutex<[(argv: [String], environment: [String: String])]>([])
        init(exitCode: Int32) { self.exitCode = exitCode }
        func run(_ argv: [String], environment: [String: String], input: String?, timeoutSeconds: Double?) throws -> ProcessResult {
            calls.withLock { $0.append((argv, environment)) }
            return ProcessResult(argv: argv, exitCode: exitCode, stdout: "installing\n", stderr: exitCode == 0 ? "" : "npm ERR boom\n")
        }
    }

    func world(exitCode: Int32) throws -> (InMemoryWorld, ScriptedRunner, TaskRecord) {
        var world = InMemoryWorld()
        let runner = ScriptedRunner(exitCode: exitCode)
        world.context.processes.runner = runner
        let task = world.task("schema")
        try world.add(task)
        return (world, runner, task)
    }

    @Test func theCommandRunsInTheWorktreeAndItsOutputIsKeptBesideTheTask() throws {
        let (world, runner, task) = try world(exitCode: 0)
        let project = try #require(try world.projects.list().first)

        try WorktreeSetupRunner(context: world.context).run(
            WorktreeSetup(command: ["npm", "ci"]), for: task, project: project, workspacePath: "/in-memory/ws/oauth--1")

        let call = try #require(runner.calls.withLock { $0.first })
        #expect(call.argv == ["/usr/bin/env", "-C", "/in-memory/ws/oauth--1", "npm", "ci"])
        #expect(call.environment["ORANGE_TASK_ID"] == "schema" && call.environment["ORANGE_WORKSPACE"] == "/in-memory/ws/oauth--1")
        let log = WorktreeSetupRunner.logFile(task, context: world.context)
        let taskFile = world.tasks.taskFilePath(task.id, in: task.project)
        #expect(log == String(taskFile.dropLast("TASK.md".count)) + "setup.log")
        let text = String(decoding: try #require(world.folders.kept[log]), as: UTF8.self)
        #expect(text.hasPrefix("$ npm ci   (in /in-memory/ws/oauth--1)\ninstalling\n"), "\(text)")
        #expect(text.contains("[setup exited 0 in "))
    }

    @Test func aFailingCommandThrowsWithTheTailOfItsOutputAndKeepsTheLog() throws {
        let (world, _, task) = try world(exitCode: 7)
        let project = try #require(try world.projects.list().first)

        #expect {
            try WorktreeSetupRunner(context: world.context).run(
                WorktreeSetup(command: ["npm", "ci"]), for: task, project: project, workspacePath: "/in-memory/ws/oauth--1")
        } throws: { error in
            "\(error)".contains("setup command exited with status 7") && "\(error)".contains("npm ERR boom")
        }
        let log = WorktreeSetupRunner.logFile(task, context: world.context)
        let text = String(decoding: try #require(world.folders.kept[log]), as: UTF8.self)
        #expect(text.contains("npm ERR boom") && text.contains("[setup exited with status 7 in "), "\(text)")
    }
}
