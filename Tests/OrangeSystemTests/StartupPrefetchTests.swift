import Glibc
import OrangeCore
import OrangeSystem
import Testing

/// The start-up read overlapped with the watcher's start (`WatchedTaskTree.startWatching`):
/// the first read takes what was read ahead, and a change made after that read is still seen,
/// because every file is read after its folder's watch exists.
extension InotifyWatcherTests {
    @Test func theReadAheadOfTheStartUpGivesThePlainReadsAndLosesNoLaterEdit() throws {
        let tree = try InotifyTempTree()
        try tree.makeDirectory(tree.path("coffee"))
        for index in 0..<600 {
            try tree.makeDirectory(tree.path("coffee/t\(index)"))
            try writeInPlace(tree.path("coffee/t\(index)/TASK.md"), Self.taskText(index, status: "pending"))
        }
        try tree.makeDirectory(tree.path("coffee/empty"))
        let watcher = try TaskTreeWatcher(root: tree.root)
        defer { watcher.close() }
        let source = WatchedTaskTree(watcher: watcher, tasksRoot: watcher.tasksPath, project: nil)
        let hints = try source.startWatching()
        let keys = hints.compactMap { hint -> TaskKey? in
            guard case .taskFile(let project, let id, .appeared) = hint else { return nil }
            return TaskKey(project: project, taskID: id)
        }
        #expect(keys.count == 600)
        // Edited after the watches exist, possibly after its read ahead.
        try writeByRename(tree.path("coffee/t7/TASK.md"), Self.taskText(7, status: "done"))
        let first = source.read(keys + [TaskKey(project: "coffee", taskID: "empty")])
        let plain = WatchedTaskTree(watcher: watcher, tasksRoot: watcher.tasksPath, project: nil)
        for (index, key) in keys.enumerated() where key.taskID != "t7" {
            #expect(first[index]?.result == plain.read([key])[0]?.result, "\(key)")
            #expect(first[index]?.record == plain.read([key])[0]?.record, "\(key)")
        }
        #expect(first.last??.result == .missing)
        // Whatever the first read saw of t7, the edit raised an event, and reading again finds it.
        let later = try watcher.sync()
        #expect(fileKinds(later, "coffee", "t7").contains(.completeWrite))
        let again = source.read([TaskKey(project: "coffee", taskID: "t7")])
        #expect(again[0]?.record?.status == .done)
    }

    static func taskText(_ index: Int, status: String) -> String {
        "---\nid: t\(index)\nproject: coffee\nstatus: \(status)\n---\nnotes of t\(index)\n"
    }
}
