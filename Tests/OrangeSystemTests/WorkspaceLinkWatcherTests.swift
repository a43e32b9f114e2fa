import Glibc
import OrangeCore
import OrangeSystem
import Testing

/// The engine's watch on the top folder of each bound workspace (F14): which events on
/// `TASK.md` mean a complete file, which only a file that may still be written, and the pool
/// file that adds and removes the watches.
@Suite struct WorkspaceLinkWatcherTests {
    @Test func savesAreTold() throws {
        let tree = try InotifyTempTree()
        let root = tree.base + "/workspaces"
        for folder in [root, root + "/p--1", root + "/p--2"] { try tree.makeDirectory(folder) }
        let watcher = try WorkspaceLinkWatcher(workspacesRoot: root)
        defer { watcher.close() }
        watcher.watch(["p--1"])
        #expect(watcher.watchedWorkspaces == ["p--1"])

        // A rename over TASK.md (sed -i, os.replace): complete.
        try AtomicFile.write("a\n", to: root + "/p--1/TASK.md")
        var changes = try watcher.read()
        #expect(changes.complete == ["p--1"] && changes.touched.isEmpty && !changes.poolChanged)

        // Removed, then made without a write (a link): only touched; a writer's close: complete.
        try FileSystem.removeTree(root + "/p--1/TASK.md")
        try FileSystem.createSymbolicLink(at: root + "/p--1/TASK.md", pointingTo: "/nowhere")
        changes = try watcher.read()
        #expect(changes.complete.isEmpty && changes.touched == ["p--1"])
        try FileSystem.removeTree(root + "/p--1/TASK.md")
        let fd = open(root + "/p--1/TASK.md", O_WRONLY | O_CREAT | O_CLOEXEC, 0o600)
        #expect(fd >= 0)
        changes = try watcher.read()
        #expect(changes.complete.isEmpty && changes.touched == ["p--1"])  // created, still open
        close(fd)
        // The CLOSE_WRITE comes when the last holder of the descriptor closes it: a child that
        // another test's thread forked at that moment holds it until its exec, so it is waited
        // for with a deadline, not expected by the very next read.
        var complete: [String] = []
        let clock = SystemClock()
        let deadline = clock.monotonicNanoseconds() + 20_000_000_000
        while complete.isEmpty && clock.monotonicNanoseconds() < deadline {
            complete = Array(try watcher.read().complete)
            if complete.isEmpty { clock.sleep(milliseconds: 5) }
        }
        #expect(complete == ["p--1"])

        // Other names, and workspaces not bound, are not its business.
        try AtomicFile.write("x\n", to: root + "/p--1/README.md")
        try AtomicFile.write("x\n", to: root + "/p--2/TASK.md")
        changes = try watcher.read()
        #expect(changes.complete.isEmpty && changes.touched.isEmpty && !changes.poolChanged)

        // The pool file rewritten: the bindings are read again.
        try AtomicFile.write("{}\n", to: root + "/.pool.json")
        #expect(try watcher.read().poolChanged)
        watcher.watch(["p--2"])
        #expect(watcher.watchedWorkspaces == ["p--2"])
        _ = try watcher.read()  // the dropped watch's IGNORED
        try AtomicFile.write("y\n", to: root + "/p--1/TASK.md")
        try AtomicFile.write("y\n", to: root + "/p--2/TASK.md")
        #expect(try watcher.read().complete == ["p--2"])
    }
}
