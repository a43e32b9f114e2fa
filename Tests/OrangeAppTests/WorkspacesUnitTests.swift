import OrangeCore
import OrangeTestSupport
import Testing

@testable import OrangeApp

/// The pooled worktrees over in-memory folders and a fake git: what a release keeps, what a save
/// through a worktree's TASK.md becomes, what an interrupted spawn left. Nothing touches the disk.
struct WorkspacesUnitTests {
    static let workspace = "oauth--1"

    /// A world whose task `api` (working) is bound to a worktree that git made.
    static func boundWorld() throws -> (InMemoryWorld, TaskRecord) {
        let world = InMemoryWorld()
        var task = world.task("api", status: .working)
        task.workspace = workspace
        try world.add(task)
        try world.pool.update { pool in
            pool.slots.append(WorkspaceSlot(project: InMemoryWorld.project, number: 1))
            pool.bind(WorkspaceSlot(project: InMemoryWorld.project, number: 1), to: task.id)
        }
        world.folders.gitMadeWorktree(at: world.context.workspacePath(workspace))
        try world.folders.linkTaskFile(in: workspace, to: world.tasks.taskFilePath(task.id, in: task.project))
        return (world, try #require(try world.tasks.find(task.id)))
    }

    @Test func aSaveByRenameThroughTheWorktreesTaskFileIsAppliedToTheTaskAndTheLinkPutBack() throws {
        let (world, task) = try Self.boundWorld()
        var edited = task
        edited.status = .done
        edited.description = "api, finished by hand"
        world.folders.saveByRename(edited.rendered(), in: Self.workspace)

        let outcome = try WorkspaceTaskFileRepair(context: world.context).repair(workspace: Self.workspace)

        #expect(outcome == .applied(from: .working, to: .done))
        let after = try #require(try world.tasks.find(task.id))
        #expect(after.status == .done)
        #expect(after.description == "api, finished by hand")
        #expect(world.folders.entry(in: Self.workspace) == .link(to: world.tasks.taskFilePath(task.id, in: task.project)))
        #expect(world.folders.kept.isEmpty)
    }

    @Test func copiesThatCannotBeAppliedAreKeptUnderFreeNamesEvenInTheSameMillisecond() throws {
        let (world, task) = try Self.boundWorld()
        let repair = WorkspaceTaskFileRepair(context: world.context)
        let folder = "/in-memory/tasks/oauth/api"  // InMemoryTaskStore's folder of the task
        let now = world.clock.now().millisecondsSinceEpoch

        world.folders.saveByRename("not a task file\n", in: Self.workspace)
        let first = try repair.repair(workspace: Self.workspace)
        world.folders.saveByRename("still not one\n", in: Self.workspace)
        let second = try repair.repair(workspace: Self.workspace)

        guard case .keptAside(let one) = first, case .keptAside(let two) = second else {
            Issue.record("expected both kept aside, got \(first) and \(second)")
            return
        }
        #expect(world.tasks.taskFilePath(task.id, in: task.project) == folder + "/TASK.md")
        #expect(one.path == folder + "/" + DetachedTaskFile.keptAsideName(atMilliseconds: now))
        #expect(two.path == folder + "/" + DetachedTaskFile.keptAsideName(atMilliseconds: now + 1))
        #expect(world.folders.kept[one.path] == Array("not a task file\n".utf8))
        #expect(world.folders.kept[two.path] == Array("still not one\n".utf8))
        #expect(try world.status("api") == .working)
        #expect(world.folders.entry(in: Self.workspace) == .link(to: folder + "/TASK.md"))
    }

    @Test func aLinkThatIsStillALinkIsNotRepaired() throws {
        let (world, _) = try Self.boundWorld()
        #expect(try WorkspaceTaskFileRepair(context: world.context).repair(workspace: Self.workspace) == .notDetached)
        #expect(world.folders.kept.isEmpty)
    }

    @Test func aReleaseKeepsAReplacedTaskFileItCannotApplyNextToTheTaskAndFreesTheSlot() throws {
        let (world, task) = try Self.boundWorld()
        world.folders.saveByRename("the agent's notes\n", in: Self.workspace)
        try world.tasks.delete(task.id, in: task.project)  // nothing left to apply it to

        try Workspaces(context: world.context).release(Self.workspace, task: task, project: nil, force: false)

        let kept = "/in-memory/tasks/oauth/api/" + DetachedTaskFile.keptAsideName(atMilliseconds: world.clock.now().millisecondsSinceEpoch)
        #expect(world.folders.kept == [kept: Array("the agent's notes\n".utf8)])
        #expect(world.folders.entry(in: Self.workspace) == nil)
        #expect(try world.pool.read().slot(named: Self.workspace)?.task == nil)
    }

    @Test func uncommittedWorkStopsAReleaseUnlessForced() throws {
        let (world, task) = try Self.boundWorld()
        world.git.markDirty(world.context.workspacePath(Self.workspace))
        let workspaces = Workspaces(context: world.context)

        #expect(throws: OrangeError.self) { try workspaces.release(Self.workspace, task: task, project: nil, force: false) }
        #expect(try world.pool.read().slot(named: Self.workspace)?.task == task.id)
        #expect(!world.git.calls.contains { $0.hasPrefix("clean") })

        try workspaces.release(Self.workspace, task: task, project: nil, force: true)
        #expect(try world.pool.read().slot(named: Self.workspace)?.task == nil)
        #expect(world.git.calls.contains { $0.hasPrefix("clean") })
    }

    @Test func aCleanWorktreeLeftByAnInterruptedSpawnIsAdopted() throws {
        let world = InMemoryWorld()
        let task = world.task("api")
        try world.add(task)
        world.folders.gitMadeWorktree(at: world.context.workspacePath(Self.workspace))  // made, never written to the pool

        let acquired = try Workspaces(context: world.context).acquire(for: task, project: try #require(world.projects.list().first))

        #expect(acquired == Self.workspace)
        #expect(!world.git.calls.contains { $0.hasPrefix("worktree add") })
        #expect(world.folders.folders == [Self.workspace])
        #expect(try world.pool.read().slot(boundTo: task.id)?.name == Self.workspace)
    }

    @Test func aDirtyWorktreeLeftByAnInterruptedSpawnIsMovedAsideNeverDeletedAndMadeAnew() throws {
        let world = InMemoryWorld()
        let task = world.task("api")
        try world.add(task)
        let path = world.context.workspacePath(Self.workspace)
        world.folders.gitMadeWorktree(at: path)
        world.git.markDirty(path)

        let acquired = try Workspaces(context: world.context).acquire(for: task, project: try #require(world.projects.list().first))

        #expect(acquired == Self.workspace)
        let aside = ".\(Self.workspace).interrupted-\(world.clock.now().millisecondsSinceEpoch)"
        #expect(world.folders.folders == [Self.workspace, aside])
        #expect(world.git.calls.filter { $0.hasPrefix("worktree") } == ["worktree prune", "worktree add \(path)"])
        #expect(try world.pool.read().slot(boundTo: task.id)?.name == Self.workspace)
    }
}
