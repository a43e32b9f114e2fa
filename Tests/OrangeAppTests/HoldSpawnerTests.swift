import Glibc
import OrangeCore
import OrangeSystem
import OrangeTestSupport
import Testing

@testable import OrangeApp

/// The spawner's claim re-reads the task under its lock: a hold set after a caller decided the
/// task was ready (the engine on its graph, a reconcile on its scan) still keeps it from starting.
@Suite(
    .serialized,
    .enabled(if: FileSystem.findExecutable("tmux", searchPath: ProcessEnvironment.current()["PATH"] ?? "") != nil, "needs tmux"))
struct HoldSpawnerTests {
    @Test func aHoldWrittenAfterTheReadWinsAtTheClaim() throws {
        let directory = try TemporaryDirectory(prefix: "orange-hold-spawn")
        defer { directory.remove() }
        let runner = ProcessRunner()
        let socket = "orange-hold-spawn-\(getpid())"
        defer { _ = try? runner.run(["tmux", "-L", socket, "kill-server"]) }
        let home = directory.path + "/home"
        let support = StaleStopAgentTests()
        let repo = try #require(try support.makeRepository(directory.path, runner: runner))
        try FileSystem.makeDirectories(home)
        try AtomicFile.write("#!/bin/sh\nexec sleep 600\n", to: directory.path + "/sleepy.sh", mode: 0o755)
        try AtomicFile.write(
            #"{"harnesses": {"sleepy": {"command": ["sh", "\#(directory.path)/sleepy.sh"]}}}"#, to: DataDirectory(home: home).configFile)
        let context = support.makeContext(home: home, socket: socket, runner: runner)
        let project = Project(name: ProjectName(validating: "p")!, path: repo, defaultBranch: "main", poolSize: 1)
        _ = try context.stores.projects.update { $0.append(project) }
        let id = TaskID(validating: "T1")!
        try context.stores.tasks.create(
            TaskRecord(
                id: id, project: project.name, branch: "b1", harness: "sleepy", status: .pending, description: "x",
                createdAt: context.clock.now(), hold: "a person said wait", body: ""))

        guard case .skipped(let reason) = try Spawner(context: context).spawn(id) else {
            Issue.record("a held task was spawned")
            return
        }
        #expect(reason.contains("held"), "\(reason)")
        let after = try #require(try context.stores.tasks.find(id))
        #expect(after.status == .pending && after.workspace == nil && after.tmuxSession == nil, "\(after)")
        #expect(!context.processes.tmux.hasSession("p/b1+T1"))
    }
}
