import Glibc
import OrangeCore
import OrangeSystem
import Testing

/// A task folder's scan looks up its TASK.md with one `lstat` instead of listing the folder; it
/// reports exactly what the listing reported: a TASK.md that is not a folder (a file, or a
/// symlink the read then finds missing), and nothing else.
extension InotifyWatcherTests {
    @Test func aTaskFolderScanReportsItsTaskFileOnlyWhenOneIsThere() throws {
        let tree = try InotifyTempTree()
        try tree.makeDirectory(tree.path("p"))
        for task in ["file", "symlink", "folder", "empty", "others"] { try tree.makeDirectory(tree.path("p/" + task)) }
        try writeInPlace(tree.path("p/file/TASK.md"), "id: file\n")
        #expect(symlink(tree.path("p/file/TASK.md"), tree.path("p/symlink/TASK.md")) == 0)
        try tree.makeDirectory(tree.path("p/folder/TASK.md"))
        try writeInPlace(tree.path("p/others/notes.md"), "notes\n")
        try writeInPlace(tree.path("p/others/TASK.md.tmp"), "id: others\n")
        let fixture = try InotifyFixture(tree)
        #expect(tasksSeen(fixture.startHints) == ["p/file", "p/symlink"])
        for task in ["file", "symlink", "folder", "empty", "others"] {
            #expect(fixture.startHints.contains(.taskDirectory(project: "p", taskID: task, change: .appeared)))
        }
        #expect(fixture.watcher.watchCount == 2 + 1 + 5)
    }
}
