import OrangeCore

/// What a crash can leave on disk besides task state: the temporary file of a write cut short
/// (`.TASK.md.orange-tmp-<pid>-<n>`, TASK.md itself untouched) and a task folder renamed aside to
/// be deleted (`.orange-deleted-…`). The engine removes those of dead processes when it starts,
/// so a crash needs no `orange doctor --fix` to leave a clean data folder. Task state (a spawn cut
/// short, a link written on one side) is the reconcile's job, not this one. Like
/// `DataDirectoryReader`, a walk of the data folder whose judgement is pure
/// (`TransientFileNames`), so it lives beside the syscalls it makes.
public enum LeftoverSweep {
    /// Removes the leftovers of processes that are gone; returns their paths.
    public static func run(home: String, project: ProjectName?, isAlive: (Int32) -> Bool = DataDirectoryReader.isAlive) -> [String] {
        let tasksRoot = DataDirectory(home: home).tasksRoot
        var removed: [String] = []
        // Folder by folder as they are listed: a list of every task folder first held 100,000
        // paths at once, in the engine's settled memory when it ran after the start-up.
        func sweep(_ folder: String) {
            for name in (try? FileSystem.listDirectory(folder)) ?? [] {
                guard let parsed = TransientFileNames.parse(name), !isAlive(parsed.pid) else { continue }
                switch parsed.kind {
                case .temporary, .deletedTaskFolder, .newTaskFolder:
                    let path = folder + "/" + name
                    if (try? FileSystem.removeTree(path)) != nil { removed.append(path) }
                case .cookie, .syncAnswer:
                    break  // `watch sync` owns these, and cleans up after itself
                }
            }
        }
        sweep(home)
        sweep(tasksRoot)
        let projects =
            project.map { [$0.rawValue] } ?? ((try? FileSystem.listDirectory(tasksRoot)) ?? []).filter(TaskTreeNames.isCandidateDirectory)
        for name in projects {
            let projectFolder = tasksRoot + "/" + name
            sweep(projectFolder)
            for id in (try? FileSystem.listDirectory(projectFolder)) ?? [] where TaskTreeNames.isCandidateDirectory(id) {
                sweep(projectFolder + "/" + id)
            }
        }
        return removed
    }
}
