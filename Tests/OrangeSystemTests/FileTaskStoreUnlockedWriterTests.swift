import Glibc
import OrangeCore
import OrangeSystem
import OrangeTestSupport
import Testing

/// Editors and agents save TASK.md without orange's lock. A save that lands between an update's
/// read and its rename must not be undone by it: the update is made again on the newer file.
/// The "editor" here saves from inside the update's change, which runs exactly in that window.
@Suite struct FileTaskStoreUnlockedWriterTests {
    static let project = ProjectName(validating: "coffee")!
    static let id = TaskID(validating: "a1")!

    static func makeStore(_ dir: String) throws -> FileTaskStore {
        let store = FileTaskStore(layout: DataDirectory(home: dir))
        try store.create(TaskRecord(id: id, project: project, branch: "b-a1", description: "first", body: "## Notes\n"))
        return store
    }

    /// What an editor saves: the file as it is now, with a line added to the notes.
    static func editorSave(_ path: String, note: String, inPlace: Bool) throws {
        let text = try FileSystem.readText(path) + note + "\n"
        if inPlace {
            let fd = open(path, O_WRONLY | O_TRUNC)
            try #require(fd >= 0)
            defer { close(fd) }
            try AtomicFile.writeAll(fd, Array(text.utf8), path: path)
        } else {
            try FileSystem.makeDirectories(path + ".d")
            try AtomicFile.write(text, to: path + ".d/save")
            try FileSystem.rename(path + ".d/save", to: path)
        }
    }

    @Test(arguments: [false, true])
    func aSaveBetweenTheReadAndTheRenameIsKept(inPlace: Bool) throws {
        try withTemporaryDirectory { dir in
            let store = try Self.makeStore(dir)
            let path = store.taskFilePath(Self.id, in: Self.project)
            var calls = 0
            let (_, after) = try store.update(Self.id, in: Self.project) { record in
                calls += 1
                if calls == 1 { try Self.editorSave(path, note: "- a line the agent wrote", inPlace: inPlace) }
                record.status = .working
            }
            // The change was made again, on the file with the agent's line.
            #expect(calls == 2)
            #expect(after.status == .working)
            let final = try TaskRecord.parse(FileSystem.readText(path))
            #expect(final.status == .working)
            #expect(final.body == "## Notes\n- a line the agent wrote\n")
        }
    }

    /// A writer saving in a loop: the update is tried again a few times, then written anyway,
    /// never refused (the last save before that write is the one it can undo, as before).
    @Test func aFileThatKeepsChangingGetsTheUpdateAfterTheRetries() throws {
        try withTemporaryDirectory { dir in
            let store = try Self.makeStore(dir)
            let path = store.taskFilePath(Self.id, in: Self.project)
            var calls = 0
            try store.update(Self.id, in: Self.project) { record in
                calls += 1
                try Self.editorSave(path, note: "- save \(calls)", inPlace: false)
                record.status = .working
            }
            #expect(calls == 8)
            let final = try TaskRecord.parse(FileSystem.readText(path))
            #expect(final.status == .working && final.body.hasSuffix("- save 7\n"))
            #expect(try FileSystem.listDirectory(dir + "/tasks/coffee/a1").allSatisfy { !$0.contains("orange-tmp") })
        }
    }
}
