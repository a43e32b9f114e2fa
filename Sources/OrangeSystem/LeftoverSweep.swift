import Glibc
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
    ///
    /// Every transient name starts with a dot, so only those names become strings. Each task
    /// folder is opened from its project's open folder, in the order the file system lists them:
    /// at 100,000 tasks a sorted list of path strings per folder (and of every task folder) was
    /// most of the sweep's time, run beside the start-up catch-up (docs/performance.md, section 5).
    public static func run(home: String, project: ProjectName?, isAlive: (Int32) -> Bool = DataDirectoryReader.isAlive) -> [String] {
        let tasksRoot = DataDirectory(home: home).tasksRoot
        var removed: [String] = []
        /// Removes the leftovers named in `folder` (open on `fd`, closed here) once it is listed;
        /// `other` sees every name that is not a dot name.
        func sweep(_ fd: Int32, _ folder: @autoclosure () -> String, other: (UnsafePointer<CChar>) -> Void = { _ in }) {
            var found: [String] = []
            DirectoryNames.forEach(inFolder: fd) { name in
                guard name[0] == CChar(UInt8(ascii: ".")) else { return other(name) }
                guard let parsed = TransientFileNames.parse(String(cString: name)), !isAlive(parsed.pid) else { return }
                switch parsed.kind {
                case .temporary, .deletedTaskFolder, .newTaskFolder: found.append(String(cString: name))
                case .cookie, .syncAnswer: break  // `watch sync` owns these, and cleans up after itself
                }
            }
            guard !found.isEmpty else { return }
            let path = folder()
            for name in found where (try? FileSystem.removeTree(path + "/" + name)) != nil { removed.append(path + "/" + name) }
        }
        func open(_ path: String) -> Int32? { try? openFile(path, O_RDONLY | O_DIRECTORY) }
        if let fd = open(home) { sweep(fd, home) }
        var projects: [String] = []
        if let fd = open(tasksRoot) {
            sweep(fd, tasksRoot) { name in
                let name = String(cString: name)
                if project == nil && TaskTreeNames.isCandidateDirectory(name) { projects.append(name) }
            }
        }
        if let project { projects = [project.rawValue] }
        for name in projects {
            let projectFolder = tasksRoot + "/" + name
            guard let projectFD = open(projectFolder) else { continue }
            sweep(projectFD, projectFolder) { id in
                guard DirectoryNames.isCandidateDirectory(id) else { return }
                let taskFD = openat(projectFD, id, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
                if taskFD >= 0 { sweep(taskFD, projectFolder + "/" + String(cString: id)) }
            }
        }
        return removed
    }
}

/// Folder listings without a string per entry, for walks that look at few names.
enum DirectoryNames {
    /// Calls `body` with each name in the folder open on `fd` (which it takes and closes), in the
    /// file system's order, without `.` and `..`; the pointer is valid only during the call.
    static func forEach(inFolder fd: Int32, _ body: (UnsafePointer<CChar>) -> Void) {
        guard let dir = fdopendir(fd) else {
            closeDescriptor(fd)
            return
        }
        defer { closedir(dir) }
        while let entry = readdir(dir) {
            withUnsafePointer(to: entry.pointee.d_name) { pointer in
                pointer.withMemoryRebound(to: CChar.self, capacity: Int(NAME_MAX) + 1) { name in
                    let dot = CChar(UInt8(ascii: "."))
                    if name[0] == dot && (name[1] == 0 || (name[1] == dot && name[2] == 0)) { return }
                    body(name)
                }
            }
        }
    }

    /// `TaskTreeNames.isCandidateDirectory` on a C name, without making a string of it.
    static func isCandidateDirectory(_ name: UnsafePointer<CChar>) -> Bool {
        let bytes = UnsafeBufferPointer(start: UnsafeRawPointer(name).assumingMemoryBound(to: UInt8.self), count: strlen(name))
        return TaskTreeNames.isCandidateDirectory(utf8: bytes)
    }
}
