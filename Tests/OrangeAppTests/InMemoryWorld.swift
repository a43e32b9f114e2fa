import OrangeCore
import OrangeTestSupport

@testable import OrangeApp

/// Every port of `AppContext` in memory: tasks, projects, pool, spawn guards, the worktrees'
/// folders and the agents' links, git, tmux, the clock and the process table. Use cases run against it in milliseconds; only what the real
/// system shows (files, git, tmux, inotify) is left to the end-to-end tests.
struct InMemoryWorld {
    let tasks = InMemoryTaskStore()
    let projects: InMemoryProjectStore
    let pool = InMemoryPoolStore()
    let guards = InMemorySpawnGuards()
    let folders = InMemoryWorkspaceFolders(root: Self.home + "/workspaces")
    let agentLinks = InMemoryAgentLinks(home: Self.home)
    let engineSync = InMemoryEngineSync()
    let git: FakeGit
    let tmux = FakeTmux()
    let clock = FakeClock()
    let logger = RecordingLogger()
    var context: AppContext

    static let project = ProjectName(validating: "oauth")!
    /// Never touched: every file under it is in memory.
    static let home = "/in-memory/home"

    init(environment: [String: String] = [:], poolSize: Int = 2) {
        git = FakeGit(makeWorktree: { [folders] in folders.gitMadeWorktree(at: $0) })
        projects = InMemoryProjectStore([
            Project(name: Self.project, path: "/in-memory/repo", defaultBranch: "main", poolSize: poolSize)
        ])
        let ids = SequentialTaskIDs()
        context = AppContext(
            home: Self.home, tasks: tasks, projects: projects, clock: clock, newTaskID: { ids.next() }, git: git,
            tmux: tmux, pool: pool, harnesses: { Harnesses.builtIns }, isInstalled: { _ in true }, executablePath: "/in-memory/orange",
            runInteractive: { _ in 0 }, logger: logger, workingDirectory: "/in-memory/repo", environment: environment,
            readStandardInput: { "" }, confirm: { _ in false }, realPath: { $0 }, diagnostics: { _ in }, readFile: { _ in nil })
        context.stores.spawnGuards = guards
        context.stores.workspaceFolders = folders
        context.stores.agentLinks = agentLinks
        context.stores.engineSync = engineSync
        context.processes.table = EmptyProcessTable()
        context.processes.locateProgram = { program, _ in "/usr/bin/" + program }
    }

    /// A task of the world's project.
    func task(_ id: String, status: TaskStatus = .pending, parent: String? = nil, children: [String] = [], blockedBy: [String] = [])
        -> TaskRecord
    {
        TaskRecord(
            id: TaskID(validating: id)!, project: Self.project, branch: id, status: status, description: id,
            parent: parent.map { TaskID(validating: $0)! }, blockedBy: blockedBy.map { TaskID(validating: $0)! },
            children: children.map { TaskID(validating: $0)! })
    }

    func add(_ records: TaskRecord...) throws {
        for record in records { try tasks.create(record) }
    }

    func status(_ id: String) throws -> TaskStatus? { try tasks.find(TaskID(validating: id)!)?.status }
}
