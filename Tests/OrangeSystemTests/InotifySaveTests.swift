import Foundation
import Glibc
import OrangeCore
import OrangeSystem
import Testing

/// Real-kernel tests of the task-tree watcher. One serialized suite (extended in the other
/// `Inotify*Tests` files) so the heavy cases do not compete with each other on two cores.
@Suite(.serialized) struct InotifyWatcherTests {
    /// A tree with project `p` holding `t0`..., and a started watcher.
    func watched(tasks count: Int = 1) throws -> InotifyFixture {
        let tree = try InotifyTempTree()
        try tree.makeProject("p", tasks: count)
        return try InotifyFixture(tree)
    }

    @Test func startReportsEverythingFoundTopDown() throws {
        let fixture = try watched(tasks: 2)
        #expect(
            fixture.startHints == [
                .projectDirectory(project: "p", change: .appeared),
                .taskDirectory(project: "p", taskID: "t0", change: .appeared),
                .taskFile(project: "p", taskID: "t0", kind: .appeared),
                .taskDirectory(project: "p", taskID: "t1", change: .appeared),
                .taskFile(project: "p", taskID: "t1", kind: .appeared),
            ])
        #expect(fixture.watcher.watchedPaths == ["", "tasks", "tasks/p", "tasks/p/t0", "tasks/p/t1"])
        #expect(fixture.watcher.kernelWatchCount() == 5)
        #expect(!fixture.watcher.isDegraded)
        #expect(try fixture.watcher.sync().isEmpty)
    }

    /// F1: rename-over saves give exactly one complete write each and never look deleted.
    @Test func renameOverSaveIsOneCompleteWrite() throws {
        let fixture = try watched()
        for save in 0..<200 {
            try writeByRename(fixture.tree.path("p/t0/TASK.md"), "id: t0\nseq: \(save)\n")
            let hints = try fixture.watcher.sync()
            // Exactly one complete write, except that a process spawned at that instant by a test
            // running in parallel holds a copy of the writer's descriptor until its exec, and its
            // late close raises a second CLOSE_WRITE, reported under the file's new name. Events
            // are hints: the reducer re-reads, finds the same content and does nothing.
            let kinds = fileKinds(hints, "p", "t0")
            #expect(!kinds.isEmpty && kinds.count <= 2 && kinds.allSatisfy { $0 == .completeWrite }, "save \(save): \(hints)")
            #expect(hints.count == kinds.count, "save \(save): \(hints)")
        }
    }

    /// F2: truncate + several writes + close: a partial write first, then one complete write.
    @Test func inPlaceWritesArePartialThenComplete() throws {
        let fixture = try watched()
        let fd = open(fixture.tree.path("p/t0/TASK.md"), O_WRONLY | O_TRUNC | O_CLOEXEC)
        try #require(fd >= 0)
        for part in ["id: t0\n", "status: open\n", "title: x\n"] { try writeAll(fd, part) }
        let beforeClose = try fixture.watcher.sync()
        #expect(fileKinds(beforeClose, "p", "t0") == [.partialWrite])
        close(fd)
        #expect(fileKinds(try fixture.watcher.sync(), "p", "t0") == [.completeWrite])
    }

    /// F15: a vim-style save (swap file, 4913 probe, `~` backup, in-place write) is one reaction,
    /// and a save that renames the original to the backup still ends in one complete write.
    @Test func vimStyleSaveIsOneReaction() throws {
        let fixture = try watched()
        let folder = fixture.tree.path("p/t0")
        try writeInPlace(folder + "/.TASK.md.swp", "swap")
        try writeInPlace(folder + "/4913", "")
        #expect(unlink(folder + "/4913") == 0)
        try writeInPlace(folder + "/TASK.md~", "id: t0\n")
        try writeInPlace(folder + "/TASK.md", "id: t0\nedited: yes\n")
        #expect(unlink(folder + "/TASK.md~") == 0)
        #expect(unlink(folder + "/.TASK.md.swp") == 0)
        let hints = try fixture.watcher.sync()
        #expect(fileKinds(hints, "p", "t0").filter { $0 == .completeWrite }.count == 1, "\(hints)")
        #expect(hints.allSatisfy { if case .taskFile = $0 { true } else { false } }, "\(hints)")

        // backupcopy=no: TASK.md becomes the backup, a new TASK.md is written.
        try renamePath(folder + "/TASK.md", folder + "/TASK.md~")
        try writeInPlace(folder + "/TASK.md", "id: t0\nedited: twice\n")
        #expect(unlink(folder + "/TASK.md~") == 0)
        let second = try fixture.watcher.sync()
        #expect(fileKinds(second, "p", "t0").filter { $0 == .completeWrite }.count == 1, "\(second)")
        #expect(fileKinds(second, "p", "t0").last == .completeWrite)
    }

    /// sed -i: its temp file is ignored, the rename onto TASK.md is the complete write.
    @Test func sedStyleTempNameRenamedOntoTaskFileCounts() throws {
        let fixture = try watched()
        try writeByRename(fixture.tree.path("p/t0/TASK.md"), "id: t0\n", tempName: "sedAb12Cd")
        #expect(try fixture.watcher.sync() == [.taskFile(project: "p", taskID: "t0", kind: .completeWrite)])
    }

    @Test func touchIsAnAttributeChange() throws {
        let fixture = try watched()
        #expect(utimes(fixture.tree.path("p/t0/TASK.md"), nil) == 0)
        #expect(try fixture.watcher.sync() == [.taskFile(project: "p", taskID: "t0", kind: .attributes)])
    }

    /// F10: a sweep that lists every folder and reads every TASK.md raises no events.
    @Test func scanningAndReadingRaisesNothing() throws {
        let fixture = try watched(tasks: 50)
        for _ in 0..<10 {
            for task in freshScan(fixture.tree.tasks) { #expect(readWhole(fixture.tree.tasks + "/" + task + "/TASK.md") != nil) }
        }
        #expect(try fixture.watcher.sync().isEmpty)
    }

    /// F23: write, sync, and the write is already visible: 1000 times, no sleep anywhere.
    @Test func cookieSyncSeesEveryEarlierWrite() throws {
        let fixture = try watched()
        for round in 0..<1000 {
            try writeInPlace(fixture.tree.path("p/t0/TASK.md"), "seq: \(round)\n")
            let hints = try fixture.watcher.sync()
            let kinds = fileKinds(hints, "p", "t0")
            // The write itself is always seen before the cookie. Its CLOSE_WRITE can come later
            // when a process spawned at that instant by a parallel test still holds a copy of
            // the descriptor until its exec (which can take a while on a loaded machine); it
            // must then arrive, alone, within the deadline.
            if kinds.last == .partialWrite {
                var later: [WatchHintKind] = []
                let deadline = PollLoop.Deadline.after(milliseconds: 20_000)
                while later.isEmpty && !deadline.hasPassed {
                    later = fileKinds(try fixture.watcher.sync(), "p", "t0")
                }
                #expect(later == [.completeWrite], "round \(round)")
            } else {
                #expect(kinds.last == .completeWrite, "round \(round): \(kinds)")
            }
        }
        // The watcher removes its own cookie files once it has seen them.
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: fixture.tree.tasks).filter { $0.hasPrefix(".") }
        #expect(leftovers.isEmpty)
    }

    /// F14: a write through a workspace symlink reaches the task folder; replacing the symlink
    /// (sed -i without --follow-symlinks) does not, and is left to the sweep's lstat check.
    @Test func symlinkWritesAreSeenButSymlinkReplacementIsNot() throws {
        let fixture = try watched()
        let link = fixture.tree.outside + "/TASK.md"
        #expect(symlink(fixture.tree.path("p/t0/TASK.md"), link) == 0)
        try writeInPlace(link, "id: t0\nvia: symlink\n")
        #expect(fileKinds(try fixture.watcher.sync(), "p", "t0") == [.partialWrite, .completeWrite])

        try writeByRename(link, "id: t0\ndetached: yes\n", tempName: "sedXyZ123")
        #expect(try fixture.watcher.sync().isEmpty)
        var info = stat()
        #expect(lstat(link, &info) == 0 && info.st_mode & S_IFMT == S_IFREG)
    }
}
