import Glibc
import OrangeCore
import OrangeSystem
import OrangeTestSupport
import Testing

@testable import OrangeApp

/// Freeing a task's workspace on an old read of the task. Found by the model replay (seeds 13
/// and 14, `ModelReplayEndToEndTests`): a person moved a working task back to pending; their
/// command freed its workspace and spawned it again in the same slot, under the same session name,
/// while the engine, deciding on its graph (still "pending, holds the slot"), freed it a second
/// time. The new agent then ran in a slot the pool called free, and the next task was given the
/// same worktree (or the task forgot its running session). Real git with an origin, real tmux on
/// a private socket.
@Suite(
    .serialized,
    .enabled(if: FileSystem.findExecutable("tmux", searchPath: ProcessEnvironment.current()["PATH"] ?? "") != nil, "needs tmux"))
struct StaleStopAgentTests {
    @Test func stoppingAnAgentOnAnOldReadLeavesTheNewSpawnAlone() throws {
        let directory = try TemporaryDirectory(prefix: "orange-stale-stop")
        defer { directory.remove() }
        let runner = ProcessRunner()
        let socket = "orange-stale-stop-\(getpid())"
        defer { _ = try? runner.run(["tmux", "-L", socket, "kill-server"]) }
        let home = directory.path + "/home"
        let repo = try #require(try makeRepository(directory.path, runner: runner))
        let layout = DataDirectory(home: home)
        try FileSystem.makeDirectories(home)
        try AtomicFile.write("#!/bin/sh\nexec sleep 600\n", to: directory.path + "/sleepy.sh", mode: 0o755)
        try AtomicFile.write(#"{"harnesses": {"sleepy": {"command": ["sh", "\#(directory.path)/sleepy.sh"]}}}"#, to: layout.configFile)
        let context = makeContext(home: home, socket: socket, runner: runner)
        let project = Project(name: ProjectName(validating: "p")!, path: repo, defaultBranch: "main", poolSize: 1)
        _ = try context.stores.projects.update { $0.append(project) }
        let id = TaskID(validating: "T1")!
        try context.stores.tasks.create(
            TaskRecord(
                id: id, project: project.name, branch: "b1", harness: "sleepy", status: .pending, description: "x",
                createdAt: context.clock.now(), body: ""))

        #expect(try Spawner(context: context).spawn(id) == .spawned(workspace: "p--1", session: "p/b1+T1"))
        // A person sends it back to pending; the engine reads it then (it still holds the slot).
        try context.stores.tasks.update(id, in: project.name, recording: StatusChangeNote(by: .human, at: context.clock.now())) {
            $0.status = .pending
        }
        let old = try #require(try context.stores.tasks.find(id))
        #expect(old.workspace == "p--1" && old.tmuxSession == "p/b1+T1")
        // The person's command frees it and spawns it again, in the same slot.
        try Reconciler(context: context).stopAgent(old, project: project, force: false)
        #expect(try Spawner(context: context).spawn(id) == .spawned(workspace: "p--1", session: "p/b1+T1"))
        // The engine acts on its old read.
        try Reconciler(context: context).stopAgent(old, project: project, force: false)

        let now = try #require(try context.stores.tasks.find(id))
        #expect(now.status == .working && now.workspace == "p--1" && now.tmuxSession == "p/b1+T1", "\(now)")
        #expect(context.processes.tmux.hasSession("p/b1+T1"), "the new agent was ended")
        #expect(
            try context.stores.pool.read().slot(boundTo: id)?.name == "p--1",
            "the pool no longer binds the slot to the task that runs in it")
    }

    func makeRepository(_ parent: String, runner: ProcessRunner) throws -> String? {
        let origin = parent + "/origin.git"
        let repo = parent + "/repo"
        let env = [
            "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@orange.invalid", "GIT_COMMITTER_NAME": "t",
            "GIT_COMMITTER_EMAIL": "t@orange.invalid",
        ]
        try runner.check(["git", "init", "-q", "--bare", "-b", "main", origin])
        try runner.check(["git", "init", "-q", "-b", "main", repo])
        try runner.check(["git", "-C", repo, "commit", "-q", "--allow-empty", "-m", "initial"], environment: env)
        try runner.check(["git", "-C", repo, "remote", "add", "origin", origin])
        try runner.check(["git", "-C", repo, "push", "-q", "-u", "origin", "main"], environment: env)
        return FileSystem.realPath(repo)
    }

    func makeContext(home: String, socket: String, runner: ProcessRunner) -> AppContext {
        let layout = DataDirectory(home: home)
        let clock = SystemClock()
        let ids = SystemTaskIDs()
        let environment = ProcessEnvironment.current()
        return AppContext(
            home: home, tasks: FileTaskStore(layout: layout), projects: FileProjectStore(path: layout.projectsFile),
            clock: clock, newTaskID: { ids.next() }, git: RealGit(runner: runner),
            tmux: RealTmux(runner: runner, socket: socket), pool: FilePoolStore(layout: layout),
            harnesses: { try HarnessConfiguration.load(layout.configFile) },
            isInstalled: { FileSystem.findExecutable($0, searchPath: environment["PATH"] ?? "/usr/bin:/bin") != nil },
            executablePath: "/bin/true", runInteractive: { _ in 1 },
            logger: FileLogger(path: layout.logFile, minimumLevel: .info, clock: clock),
            workingDirectory: home, environment: environment, readStandardInput: { "" }, confirm: { _ in false },
            realPath: { FileSystem.realPath($0) }, diagnostics: { _ in }, readFile: { try? FileSystem.readText($0) })
    }
}
