import Foundation
import Glibc
import OrangeCore
import OrangeSystem
import Testing

/// Folders appearing, leaving, being renamed or replaced (F4–F7, F17, F22).
extension InotifyWatcherTests {
    /// F4: 2000 task folders made and written in a tight loop on another thread: none is lost,
    /// because a new folder is watched first and scanned second.
    @Test func burstOfNewTaskFoldersLosesNothing() throws {
        let fixture = try watched(tasks: 0)
        let tasks = fixture.tree.tasks
        let writer = InotifyBackgroundWriter {
            for index in 0..<2000 {
                guard mkdir("\(tasks)/p/b\(index)", 0o755) == 0 else { throw InotifyTestFailure("mkdir \(errno)") }
                try writeInPlace("\(tasks)/p/b\(index)/TASK.md", "id: b\(index)\n")
            }
            // mkdir -p of a new project and task, then an immediate write.
            for index in 0..<50 {
                guard mkdir("\(tasks)/n\(index)", 0o755) == 0, mkdir("\(tasks)/n\(index)/t", 0o755) == 0 else {
                    throw InotifyTestFailure("mkdir -p \(errno)")
                }
                try writeInPlace("\(tasks)/n\(index)/t/TASK.md", "id: t\n")
            }
        }
        let hints = try fixture.watcher.drain(while: writer, seconds: 20)
        #expect(writer.error == nil)
        #expect(!hints.contains(.overflow))
        let expected = Set((0..<2000).map { "p/b\($0)" } + (0..<50).map { "n\($0)/t" })
        let seen = tasksSeen(hints)
        #expect(seen == expected, "missing: \(expected.subtracting(seen).sorted().prefix(10))")
        #expect(fixture.watcher.watchCount == 2 + 1 + 2000 + 100)
        #expect(fixture.watcher.kernelWatchCount() == fixture.watcher.watchCount)
    }

    /// F5: a task folder (and a whole project) moved in from outside: its TASK.md is reported.
    @Test func folderMovedInFromOutsideIsScanned() throws {
        let fixture = try watched()
        let outside = fixture.tree.outside
        try fixture.tree.makeDirectory(outside + "/t5")
        try writeInPlace(outside + "/t5/TASK.md", "id: t5\n")
        try renamePath(outside + "/t5", fixture.tree.path("p/t5"))
        let hints = try fixture.watcher.sync()
        #expect(
            hints == [
                .taskDirectory(project: "p", taskID: "t5", change: .appeared),
                .taskFile(project: "p", taskID: "t5", kind: .appeared),
            ])

        try fixture.tree.makeDirectory(outside + "/restored")
        for task in ["a", "b", "c"] {
            try fixture.tree.makeDirectory(outside + "/restored/" + task)
            try writeInPlace(outside + "/restored/\(task)/TASK.md", "id: \(task)\n")
        }
        try renamePath(outside + "/restored", fixture.tree.path("restored"))
        let project = try fixture.watcher.sync()
        #expect(tasksSeen(project) == ["restored/a", "restored/b", "restored/c"])
        #expect(project.contains(.projectDirectory(project: "restored", change: .appeared)))
        #expect(fixture.watcher.kernelWatchCount() == fixture.watcher.watchCount)
    }

    /// F6: a folder moved out or deleted: reported removed, its watches gone (fdinfo back to the
    /// earlier count), and later writes outside the tree produce nothing.
    @Test func folderMovedOutOrDeletedDropsItsWatches() throws {
        let fixture = try watched()
        let watcher = fixture.watcher
        let before = try #require(watcher.kernelWatchCount())
        try fixture.tree.makeDirectory(fixture.tree.path("p/t9"))
        try writeInPlace(fixture.tree.path("p/t9/TASK.md"), "id: t9\n")
        _ = try watcher.sync()
        #expect(watcher.kernelWatchCount() == before + 1)

        try renamePath(fixture.tree.path("p/t9"), fixture.tree.outside + "/t9")
        #expect(try watcher.sync() == [.taskDirectory(project: "p", taskID: "t9", change: .removed)])
        #expect(watcher.kernelWatchCount() == before)
        #expect(watcher.watchCount == before)
        try writeInPlace(fixture.tree.outside + "/t9/TASK.md", "id: t9\nmoved: out\n")
        #expect(try watcher.sync().isEmpty)

        try removeTree(fixture.tree.path("p/t0"))
        let deleted = try watcher.sync()
        #expect(deleted.contains(.taskDirectory(project: "p", taskID: "t0", change: .removed)))
        #expect(watcher.kernelWatchCount() == before - 1)
        #expect(watcher.watchedPaths == ["", "tasks", "tasks/p"])
        #expect(watcher.unknownWatchCount == 0)
    }

    /// F7: a project folder with 100 tasks renamed: the watches follow (same descriptors, new
    /// paths), and a later write is reported under the new name.
    @Test func projectRenameRewritesEveryDescendant() throws {
        let fixture = try watched(tasks: 100)
        let watcher = fixture.watcher
        let count = watcher.watchCount
        try renamePath(fixture.tree.path("p"), fixture.tree.path("q"))
        let hints = try watcher.sync()
        #expect(hints.contains(.projectDirectory(project: "p", change: .removed)))
        #expect(hints.contains(.projectDirectory(project: "q", change: .appeared)))
        #expect(tasksSeen(hints) == Set((0..<100).map { "q/t\($0)" }))
        #expect(watcher.watchCount == count)
        #expect(watcher.kernelWatchCount() == count)
        #expect(!watcher.watchedPaths.contains { $0.hasPrefix("tasks/p") })

        try writeInPlace(fixture.tree.path("q/t42/TASK.md"), "id: t42\n")
        #expect(fileKinds(try watcher.sync(), "q", "t42") == [.partialWrite, .completeWrite])

        // A task moved to another project, and a project pushed down into another project.
        try fixture.tree.makeDirectory(fixture.tree.path("r"))
        try renamePath(fixture.tree.path("q/t7"), fixture.tree.path("r/t7"))
        let moved = try watcher.sync()
        #expect(moved.contains(.taskDirectory(project: "q", taskID: "t7", change: .removed)))
        #expect(moved.contains(.taskFile(project: "r", taskID: "t7", kind: .appeared)))
        try renamePath(fixture.tree.path("r"), fixture.tree.path("q/r"))
        _ = try watcher.sync()
        #expect(watcher.watchedPaths.contains("tasks/q/r"))
        #expect(!watcher.watchedPaths.contains { $0.split(separator: "/").count > 3 })
        #expect(watcher.kernelWatchCount() == watcher.watchCount)
        #expect(watcher.unknownWatchCount == 0)
    }

    /// F17: `mv tasks tasks.old && mkdir tasks`: the watcher rebinds to the new folder, asks for
    /// a rescan, reports the new task, and no longer hears the old tree.
    @Test func replacedTasksFolderIsRebound() throws {
        let fixture = try watched(tasks: 3)
        let tree = fixture.tree
        try renamePath(tree.tasks, tree.root + "/tasks.old")
        try tree.makeDirectory(tree.tasks)
        try tree.makeDirectory(tree.path("n"))
        try tree.makeDirectory(tree.path("n/t1"))
        try writeInPlace(tree.path("n/t1/TASK.md"), "id: t1\n")
        let hints = try fixture.watcher.sync()
        #expect(hints.first == .rescan(path: "tasks"))
        #expect(tasksSeen(hints) == ["n/t1"])
        #expect(fixture.watcher.watchedPaths == ["", "tasks", "tasks/n", "tasks/n/t1"])
        #expect(fixture.watcher.kernelWatchCount() == 4)
        try writeInPlace(tree.root + "/tasks.old/p/t0/TASK.md", "id: t0\nold: tree\n")
        #expect(try fixture.watcher.sync().isEmpty)

        // Deleted outright, then created again.
        try removeTree(tree.tasks)
        let deadline = PollLoop.Deadline.after(milliseconds: 20_000)
        var gone: [WatchHint] = []
        let loop = try PollLoop()
        while !gone.contains(.rescan(path: "tasks")) && !deadline.hasPassed {
            _ = try loop.wait(on: [fixture.watcher.fileDescriptor], until: deadline)
            gone += try fixture.watcher.readHints()
        }
        #expect(gone.contains(.rescan(path: "tasks")))
        #expect(fixture.watcher.watchedPaths == [""])
        try tree.makeDirectory(tree.tasks)
        try tree.makeProject("p2", tasks: 2)
        #expect(tasksSeen(try fixture.watcher.sync()) == ["p2/t0", "p2/t1"])
    }

    /// The data root itself moved away: everything is dropped, the root is listed as unwatched
    /// (the caller polls it), and a retry binds the new root once it exists.
    @Test func movedRootIsPolledThenRebound() throws {
        let fixture = try watched(tasks: 2)
        let tree = fixture.tree
        try renamePath(tree.root, tree.base + "/orange.moved")
        let loop = try PollLoop()
        let deadline = PollLoop.Deadline.after(milliseconds: 20_000)
        var hints: [WatchHint] = []
        while !hints.contains(.rescan(path: "")) && !deadline.hasPassed {
            _ = try loop.wait(on: [fixture.watcher.fileDescriptor], until: deadline)
            hints += try fixture.watcher.readHints()
        }
        #expect(hints.contains(.rescan(path: "")))
        #expect(fixture.watcher.unwatchedDirectories == [tree.root])
        #expect(fixture.watcher.watchCount == 0)
        #expect(fixture.watcher.kernelWatchCount() == 0)

        try tree.makeDirectory(tree.root)
        try tree.makeDirectory(tree.tasks)
        try tree.makeProject("p", tasks: 1)
        let retried = fixture.watcher.retryUnwatched()
        #expect(tasksSeen(retried) == ["p/t0"])
        #expect(!fixture.watcher.isDegraded)
        #expect(fixture.watcher.watchedPaths == ["", "tasks", "tasks/p", "tasks/p/t0"])
        try writeInPlace(tree.path("p/t0/TASK.md"), "id: t0\n")
        #expect(fileKinds(try fixture.watcher.sync(), "p", "t0").last == .completeWrite)
    }

    /// `orange watch --project a`: only `tasks/a` is watched and reported; a task moved out of
    /// `a` is a removal, one moved in is an arrival, and nothing else in `b` is heard.
    @Test func oneProjectScopeWatchesOnlyThatProject() throws {
        let tree = try InotifyTempTree()
        try tree.makeProject("a", tasks: 2)
        try tree.makeProject("b", tasks: 2)
        let watcher = try TaskTreeWatcher(root: tree.root, project: "a")
        #expect(tasksSeen(try watcher.start()) == ["a/t0", "a/t1"])
        #expect(watcher.watchedPaths == ["", "tasks", "tasks/a", "tasks/a/t0", "tasks/a/t1"])

        try writeInPlace(tree.path("b/t0/TASK.md"), "id: t0\nedited: yes\n")
        try tree.makeDirectory(tree.path("b/t9"))
        try renamePath(tree.path("a/t1"), tree.path("b/t1a"))
        try renamePath(tree.path("b/t1"), tree.path("a/t1b"))
        let hints = try watcher.sync()
        #expect(hints.contains(.taskDirectory(project: "a", taskID: "t1", change: .removed)))
        #expect(tasksSeen(hints) == ["a/t1b"])
        #expect(
            !hints.contains {
                if case .taskFile("b", _, _) = $0 { true } else if case .taskDirectory("b", _, _) = $0 { true } else { false }
            })
        #expect(watcher.watchedPaths == ["", "tasks", "tasks/a", "tasks/a/t0", "tasks/a/t1b"])
        #expect(watcher.kernelWatchCount() == watcher.watchCount)
        #expect(tasksSeen(watcher.resync()) == ["a/t0", "a/t1b"])
    }

    /// F22: the watcher starts while another thread writes 50 tasks; start-up hints plus later
    /// hints name exactly the tasks a fresh scan finds.
    @Test func startUpDuringWritesMissesNothing() throws {
        let tree = try InotifyTempTree()
        try tree.makeProject("p", tasks: 20)
        let tasks = tree.tasks
        let writer = InotifyBackgroundWriter {
            for index in 0..<50 {
                let project = "w\(index % 5)"
                if index < 5 { guard mkdir("\(tasks)/\(project)", 0o755) == 0 else { throw InotifyTestFailure("mkdir") } }
                guard mkdir("\(tasks)/\(project)/x\(index)", 0o755) == 0 else { throw InotifyTestFailure("mkdir") }
                try writeInPlace("\(tasks)/\(project)/x\(index)/TASK.md", "id: x\(index)\n")
            }
        }
        let fixture = try InotifyFixture(tree)
        let hints = fixture.startHints + (try fixture.watcher.drain(while: writer))
        #expect(writer.error == nil)
        #expect(tasksSeen(hints) == freshScan(tasks))
        #expect(freshScan(tasks).count == 70)
    }
}
