import Glibc
import OrangeCore
import Testing

@testable import OrangeSystem

/// The start-up adds a project's task-folder watches on every core (`addNewTaskFolders`); what it
/// reports and watches must be what the one-by-one scan gives (`resync` still scans that way).
extension InotifyWatcherTests {
    @Test func startUpInParallelReportsAndWatchesWhatTheOneByOneScanDoes() throws {
        let tree = try InotifyTempTree(inMemory: true)
        // 700 task folders (past ParallelMap's threshold) in an order the listing does not keep,
        // some without TASK.md, one whose TASK.md is a folder, one a symlink, plus a file and
        // hidden names beside the folders, and a small project scanned on this thread.
        try tree.makeDirectory(tree.path("big"))
        for index in (0..<700).reversed() {
            let folder = tree.path("big/task-\(index)")
            try tree.makeDirectory(folder)
            if index % 7 == 3 { continue }
            if index == 5 {
                try tree.makeDirectory(folder + "/TASK.md")
            } else if index == 6 {
                #expect(symlink("/nonexistent", folder + "/TASK.md") == 0)
            } else {
                try writeInPlace(folder + "/TASK.md", "id: task-\(index)\n")
            }
        }
        try writeInPlace(tree.path("big/notes.txt"), "not a task\n")
        try tree.makeDirectory(tree.path("big/.hidden"))
        try tree.makeProject("small", tasks: 3)

        let watcher = try TaskTreeWatcher(root: tree.root)
        let started = try watcher.start()
        #expect(watcher.watchCount == 2 + 2 + 700 + 3)
        #expect(watcher.kernelWatchCount() == watcher.watchCount)
        #expect(!watcher.isDegraded)
        let taskFiles = started.filter { if case .taskFile = $0 { true } else { false } }
        #expect(taskFiles.count == 700 - 100 - 1 + 3, "every TASK.md but the folder one (the symlink counts)")
        // The serial scan of the same tree: same hints, same order; nothing new to watch.
        #expect(watcher.resync() == started)
        #expect(watcher.watchCount == 2 + 2 + 700 + 3)

        // Every folder is watched: a TASK.md written in one that had none is seen.
        try writeInPlace(tree.path("big/task-10/TASK.md"), "id: task-10\n")
        let hints = try watcher.sync()
        #expect(hints.contains(.taskFile(project: "big", taskID: "task-10", kind: .completeWrite)))
    }
}
