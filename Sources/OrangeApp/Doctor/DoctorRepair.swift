import OrangeCore
import OrangeSystem

/// Makes the safe repairs `orange doctor --fix` offers. Each one re-checks, under the same locks
/// the rest of orange uses, that the problem is still there before it changes anything: the
/// snapshot may be seconds old, and an engine or an agent may be running meanwhile.
///
/// No repair ever writes a TASK.md that does not parse: the store refuses such writes, and the
/// check offers no repair that would need one.
struct DoctorRepair {
    let context: AppContext

    /// Applies `fix`; returns what was done, or throws why it was not.
    func apply(_ fix: DoctorFix) throws -> String {
        switch fix {
        case .remove(let path):
            // Paths come from the walk of the data folder; anything else is refused outright.
            guard path.hasPrefix(context.home + "/"), !path.contains("/../") else {
                throw OrangeError("\(path) is outside \(context.home); not removed")
            }
            try FileSystem.removeTree(path)
            return "removed"
        case .repairInterruptedSpawn(let id, _):
            guard let task = try context.stores.tasks.find(id) else { throw OrangeError("task \(id) no longer exists") }
            guard try !Spawner.repairInterrupted([task], context: context).isEmpty else {
                throw OrangeError("a spawn of \(id) is in progress, or its marker is already gone")
            }
            return "put back to pending, marker removed"
        case .addChild(let child, let parent, let project):
            // Only while the child still names this parent: the child's side is the truth.
            guard try context.stores.tasks.find(child)?.parent == parent else {
                throw OrangeError("task \(child) no longer names \(parent) as its parent")
            }
            try Reconciler.addMissingChild(child, to: parent, in: project, context: context)
            return "added \(child) to the children of \(parent)"
        case .releaseWorkspace(let name, let id):
            guard try context.stores.pool.read().slot(named: name)?.task == id else {
                throw OrangeError("workspace \(name) is no longer bound to \(id)")
            }
            // A malformed TASK.md still is a task: `find` throws for it, and nothing is released.
            guard try context.stores.tasks.find(id) == nil else { throw OrangeError("task \(id) exists again") }
            let project = try context.stores.projects.list().first { $0.name == WorkspaceSlot.parse(name: name)?.0 }
            try Workspaces(context: context).release(name, task: nil, project: project, force: false)
            return "released"
        case .repairWorkspaceTaskFile(let name, let id):
            guard try context.stores.pool.read().slot(named: name)?.task == id else {
                throw OrangeError("workspace \(name) is no longer bound to \(id)")
            }
            switch try WorkspaceTaskFileRepair(context: context).repair(workspace: name) {
            case .notDetached: throw OrangeError("\(name)/TASK.md is no longer a plain file")
            case .relinked: return "it said what the task says; the link is back"
            case .applied(let from, let to): return "applied to task \(id) (\(from.rawValue) → \(to.rawValue)); the link is back"
            case .keptAside(let file):
                return "not applied (\(file.line.map { "line \($0): " } ?? "")\(file.reason)); kept as \(file.path); the link is back"
            }
        }
    }
}
