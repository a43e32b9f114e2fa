import Glibc
import OrangeSystem
import OrangeTestSupport
import Testing

@Suite struct FileSystemTests {
    @Test func removeTreeDoesNotFollowASymlinkToAFolderOutside() throws {
        try withTemporaryDirectory { dir in
            try FileSystem.makeDirectories(dir + "/outside/deeper")
            try AtomicFile.write("precious", to: dir + "/outside/file")
            try AtomicFile.write("also", to: dir + "/outside/deeper/file")
            try FileSystem.makeDirectories(dir + "/tree/a/b")
            try AtomicFile.write("x", to: dir + "/tree/a/b/f")
            try FileSystem.createSymbolicLink(at: dir + "/tree/a/link", pointingTo: dir + "/outside")
            try FileSystem.createSymbolicLink(at: dir + "/tree/filelink", pointingTo: dir + "/outside/file")

            try FileSystem.removeTree(dir + "/tree")

            #expect(FileSystem.status(dir + "/tree") == nil)
            #expect(try FileSystem.readText(dir + "/outside/file") == "precious")
            #expect(try FileSystem.readText(dir + "/outside/deeper/file") == "also")
        }
    }

    @Test func removeTreeOnASymlinkRemovesOnlyTheLink() throws {
        try withTemporaryDirectory { dir in
            try FileSystem.makeDirectories(dir + "/target")
            try AtomicFile.write("keep", to: dir + "/target/file")
            try FileSystem.createSymbolicLink(at: dir + "/link", pointingTo: dir + "/target")
            try FileSystem.removeTree(dir + "/link")
            #expect(FileSystem.status(dir + "/link") == nil)
            #expect(try FileSystem.listDirectory(dir + "/target") == ["file"])
            // Missing paths are not an error: the goal, "gone", is met.
            try FileSystem.removeTree(dir + "/never-existed")
        }
    }

    @Test func makeDirectoriesCreatesEveryLevelPrivately() throws {
        try withTemporaryDirectory { dir in
            let old = umask(0)
            defer { umask(old) }
            try FileSystem.makeDirectories(dir + "/a/b/c")
            try FileSystem.makeDirectories(dir + "/a/b/c")  // idempotent
            for path in [dir + "/a", dir + "/a/b", dir + "/a/b/c"] {
                #expect(FileSystem.status(path)?.mode == 0o700, "\(path)")
            }
            try AtomicFile.write("f", to: dir + "/file")
            #expect(throws: SystemError.self) { try FileSystem.makeDirectories(dir + "/file/sub") }
        }
    }

    @Test func listDirectorySkipsDotEntriesAndSorts() throws {
        try withTemporaryDirectory { dir in
            for name in ["b", ".hidden", "a"] { try AtomicFile.write("", to: dir + "/" + name) }
            #expect(try FileSystem.listDirectory(dir) == [".hidden", "a", "b"])
            let error = #expect(throws: SystemError.self) { try FileSystem.listDirectory(dir + "/missing") }
            #expect(error?.description == "open \(dir)/missing: No such file or directory")
        }
    }

    @Test func statusDescribesWithoutFollowingLinks() throws {
        try withTemporaryDirectory { dir in
            try AtomicFile.write("12345", to: dir + "/file", mode: 0o640)
            try FileSystem.createSymbolicLink(at: dir + "/link", pointingTo: dir + "/file")
            let file = try #require(FileSystem.status(dir + "/file"))
            #expect(file.size == 5 && file.mode == 0o640 && file.isRegularFile && !file.isSymbolicLink)
            #expect(file.modifiedNanoseconds > 0 && file.inode > 0)
            let link = try #require(FileSystem.status(dir + "/link"))
            #expect(link.isSymbolicLink && !link.isRegularFile && link.inode != file.inode)
            #expect(FileSystem.fileExists(dir + "/link") && !FileSystem.isDirectory(dir + "/link"))
            #expect(FileSystem.realPath(dir + "/link") == FileSystem.realPath(dir + "/file"))
            #expect(FileSystem.status(dir + "/none") == nil)
        }
    }

    @Test func systemErrorsReadLikeTheShell() {
        #expect(SystemError("open", path: "/x/TASK.md", errno: EACCES).description == "open /x/TASK.md: Permission denied")
        #expect(SystemError("fsync", errno: EIO).description == "fsync: Input/output error")
    }
}
