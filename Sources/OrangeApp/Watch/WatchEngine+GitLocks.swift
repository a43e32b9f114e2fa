import OrangeCore
import OrangeSystem

/// A tasks folder kept in git, whole (`tasks/.git`) or one project's (`tasks/<project>/.git`, as
/// `orange sync init --project` makes it): while git holds that repository's index lock (a
/// checkout, a pull, the sync follower's merge), the changes it makes are held and applied as
/// one batch, so the graph never decides on half a pull.
extension WatchEngine {
    /// The index lock files to look for: the whole tasks folder's, and that of each project
    /// folder that is a git work tree. Listed at start-up and at each sweep, so a folder shared
    /// while the engine runs is covered from the next sweep on.
    func gitIndexLockFiles() -> [String] {
        var files = [layout.tasksRoot + "/.git/index.lock"]
        let projects = options.project.map { [$0.rawValue] } ?? ((try? FileSystem.listDirectory(layout.tasksRoot)) ?? []).sorted()
        for name in projects where ProjectName(validating: name) != nil {
            let git = layout.tasksRoot + "/" + name + "/.git"
            if FileSystem.isDirectory(git) { files.append(git + "/index.lock") }
        }
        return files
    }

    /// Whether git holds the index lock of a tasks folder it keeps.
    func gitHoldsATasksFolder() -> Bool { gitIndexLocks.contains { FileSystem.fileExists($0) } }
}
