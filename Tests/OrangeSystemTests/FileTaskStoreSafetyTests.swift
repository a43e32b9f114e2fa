import Glibc
import OrangeCore
import OrangeSystem
import OrangeTestSupport
import Testing

/// The store's data-safety promises: malformed files untouched, unknown keys kept, odd folders
/// reported and never followed, no lost update between threads.
@Suite struct FileTaskStoreSafetyTests {
    static let project = ProjectName(validating: "coffee")!

    static func id(_ text: String) -> TaskID { TaskID(validating: text)! }

    /// Writes `text` as the TASK.md of `id`, bypassing the store (as a person or an agent would).
    static func writeByHand(_ text: String, id: String, in layout: DataDirectory) throws -> String {
        let path = layout.taskFile(Self.id(id), in: project)
        try FileSystem.makeDirectories(layout.taskDirectory(Self.id(id), in: project))
        try AtomicFile.write(text, to: path)
        return path
    }

    @Test func createdFoldersAndFilesArePrivate() throws {
        try withTemporaryDirectory { dir in
            let old = umask(0o022)
            defer { umask(old) }
            let layout = DataDirectory(home: dir + "/home")
            let store = FileTaskStore(layout: layout)
            try store.create(TaskRecord(id: Self.id("a1"), project: Self.project, branch: "a1"))
            #expect(FileSystem.status(layout.taskDirectory(Self.id("a1"), in: Self.project))?.mode == 0o700)
            #expect(FileSystem.status(layout.projectTasksDirectory(Self.project))?.mode == 0o700)
            #expect(FileSystem.status(store.taskFilePath(Self.id("a1"), in: Self.project))?.mode == 0o600)
            try store.appendHistory(
                HistoryEvent(type: "task.created", timestamp: Timestamp(millisecondsSinceEpoch: 1)), for: Self.id("a1"), in: Self.project)
            #expect(FileSystem.status(layout.historyFile(Self.id("a1"), in: Self.project))?.mode == 0o600)
        }
    }

    @Test func malformedFileIsByteIdenticalAfterEveryAttempt() throws {
        try withTemporaryDirectory { dir in
            let layout = DataDirectory(home: dir)
            let store = FileTaskStore(layout: layout)
            let text = "---\nid: bad\nproject: coffee\nbranch: x\nstatus: [oops\n---\nbody\n"
            let path = try Self.writeByHand(text, id: "bad", in: layout)
            let before = try #require(FileSystem.status(path))

            let scan = try store.scan(project: Self.project)
            #expect(scan.tasks.isEmpty && scan.invalid.count == 1 && scan.invalid.first?.path == path)
            #expect(scan.invalid.first?.line != nil)
            let found = #expect(throws: TaskStoreError.self) { try store.find(Self.id("bad")) }
            #expect(found?.description.hasPrefix(path + ":") == true)
            #expect(found?.description.hasSuffix("(the file was left untouched)") == true)
            var changeRan = false
            #expect(throws: TaskStoreError.self) { try store.update(Self.id("bad"), in: Self.project) { _ in changeRan = true } }
            #expect(!changeRan)
            #expect(throws: TaskStoreError.self) { try store.create(TaskRecord(id: Self.id("bad"), project: Self.project, branch: "x")) }

            #expect(try FileSystem.readText(path) == text)
            let after = try #require(FileSystem.status(path))
            #expect(after.inode == before.inode && after.modifiedNanoseconds == before.modifiedNanoseconds)
            #expect(try temporaryFiles(in: layout.taskDirectory(Self.id("bad"), in: Self.project)).isEmpty)
        }
    }

    @Test func invalidUTF8IsReportedNotRepaired() throws {
        try withTemporaryDirectory { dir in
            let layout = DataDirectory(home: dir)
            let store = FileTaskStore(layout: layout)
            let path = try Self.writeByHand("", id: "u1", in: layout)
            let bytes = Array("---\nid: u1\nproject: coffee\nbranch: u1\ndescription: caf".utf8) + [0xE9] + Array("\n---\n".utf8)
            try AtomicFile.write(bytes, to: path)
            let error = #expect(throws: TaskStoreError.self) { try store.update(Self.id("u1"), in: Self.project) { $0.status = .done } }
            #expect(error?.description.contains(":5: is not valid UTF-8") == true)
            #expect(try FileSystem.readBytes(path) == bytes)
        }
    }

    @Test func unknownKeysAndBodySurviveAnUpdate() throws {
        try withTemporaryDirectory { dir in
            let layout = DataDirectory(home: dir)
            let store = FileTaskStore(layout: layout)
            let body = "# Notes\n\nTrailing spaces   \n\n- [ ] a list\nno final newline"
            let text = """
                ---
                id: keep1
                project: coffee
                branch: keep-branch
                status: pending
                description: "Keep: everything"
                priority: 3
                labels: [ui, "needs review"]
                owner: 'someone'
                ---

                """ + body
            let path = try Self.writeByHand(text, id: "keep1", in: layout)
            let original = try TaskRecord.parse(text)
            let (before, after) = try store.update(Self.id("keep1"), in: Self.project) { $0.status = .working }
            #expect(before == original && after.status == .working)

            let reread = try TaskRecord.parse(try FileSystem.readText(path))
            // Same keys, order and text; the writer may drop quotes a value does not need.
            #expect(reread.extra.count == original.extra.count)
            #expect(zip(reread.extra, original.extra).allSatisfy { $0.key == $1.key && $0.value.sameText(as: $1.value) })
            #expect(reread.extra.map(\.key) == ["priority", "labels", "owner"])
            #expect(reread.body == body && reread.description == "Keep: everything")
            #expect(try FileSystem.readText(path).hasSuffix("---\n" + body))
        }
    }

    @Test func idAndProjectCannotBeChangedByAnUpdate() throws {
        try withTemporaryDirectory { dir in
            let store = FileTaskStore(layout: DataDirectory(home: dir))
            try store.create(TaskRecord(id: Self.id("a1"), project: Self.project, branch: "a1"))
            let path = store.taskFilePath(Self.id("a1"), in: Self.project)
            let text = try FileSystem.readText(path)
            #expect(throws: TaskStoreError.self) { try store.update(Self.id("a1"), in: Self.project) { $0.id = Self.id("b2") } }
            #expect(throws: TaskStoreError.self) {
                try store.update(Self.id("a1"), in: Self.project) { $0.project = ProjectName(validating: "tea")! }
            }
            #expect(try FileSystem.readText(path) == text)
            #expect(throws: TaskStoreError.self) { try store.update(Self.id("zz"), in: Self.project) { _ in } }
            #expect(throws: TaskStoreError.self) { try store.delete(Self.id("zz"), in: Self.project) }
            #expect(throws: TaskStoreError.self) {
                try store.appendHistory(
                    HistoryEvent(type: "x", timestamp: Timestamp(millisecondsSinceEpoch: 0)), for: Self.id("zz"), in: Self.project)
            }
            #expect(try store.history(of: Self.id("zz"), in: Self.project).isEmpty)
        }
    }

    /// Odd names and symlinks under tasks/ are reported, never followed; files being written
    /// (dot-named temporaries) and folders without TASK.md are not errors.
    @Test func oddFoldersAreReportedAndNeverFollowed() throws {
        try withTemporaryDirectory { dir in
            let layout = DataDirectory(home: dir + "/home")
            let store = FileTaskStore(layout: layout)
            try store.create(TaskRecord(id: Self.id("good"), project: Self.project, branch: "good"))
            let coffee = layout.projectTasksDirectory(Self.project)
            // Outside the tree: a valid-looking task that must never be read through a link.
            try FileSystem.makeDirectories(dir + "/outside/lnk")
            try AtomicFile.write("---\nid: lnk\nproject: coffee\nbranch: lnk\n---\n", to: dir + "/outside/lnk/TASK.md")
            try FileSystem.createSymbolicLink(at: coffee + "/lnk", pointingTo: dir + "/outside/lnk")
            try FileSystem.createSymbolicLink(at: layout.tasksRoot + "/tea", pointingTo: dir + "/outside")
            try FileSystem.makeDirectories(coffee + "/..x")
            try FileSystem.makeDirectories(coffee + "/a b")
            try FileSystem.makeDirectories(layout.tasksRoot + "/..y")
            try FileSystem.makeDirectories(coffee + "/filelink")
            try FileSystem.createSymbolicLink(at: coffee + "/filelink/TASK.md", pointingTo: dir + "/outside/lnk/TASK.md")
            try FileSystem.makeDirectories(coffee + "/fifo")
            #expect(mkfifo(coffee + "/fifo/TASK.md", 0o600) == 0)
            // Not errors: a task being created, a temporary file, a stray file.
            try FileSystem.makeDirectories(coffee + "/creating")
            try AtomicFile.write(
                "x", to: store.taskFilePath(Self.id("good"), in: Self.project).replacing("TASK.md", with: ".TASK.md.orange-tmp-1-1"))
            try AtomicFile.write("x", to: coffee + "/README")

            let scan = try store.scan(project: nil)
            #expect(scan.tasks.map(\.id.rawValue) == ["good"])
            let report = Dictionary(uniqueKeysWithValues: scan.invalid.map { ($0.path, $0.reason) })
            #expect(report.count == 7, "\(scan.invalid)")
            #expect(report[coffee + "/lnk"]?.contains("symbolic link") == true)
            #expect(report[layout.tasksRoot + "/tea"]?.contains("symbolic link") == true)
            #expect(report[coffee + "/..x"]?.contains("is not a valid task id") == true)
            #expect(report[coffee + "/a b"]?.contains("is not a valid task id") == true)
            #expect(report[layout.tasksRoot + "/..y"]?.contains("must not start with '-' or '.'") == true)
            #expect(report[coffee + "/filelink/TASK.md"]?.contains("symbolic link") == true)
            #expect(report[coffee + "/fifo/TASK.md"] == "is not a regular file")

            #expect(throws: TaskStoreError.self) { try store.find(Self.id("lnk")) }
            #expect(throws: TaskStoreError.self) { try store.update(Self.id("lnk"), in: Self.project) { $0.status = .done } }
            #expect(throws: TaskStoreError.self) { try store.delete(Self.id("lnk"), in: Self.project) }
            #expect(try FileSystem.listDirectory(dir + "/outside/lnk") == ["TASK.md"])
            #expect(try store.find(Self.id("creating")) == nil)
            #expect(try store.scan(project: ProjectName(validating: "nothing")!).tasks.isEmpty)
        }
    }

    @Test func scanOfAnEmptyHomeIsEmpty() throws {
        try withTemporaryDirectory { dir in
            let store = FileTaskStore(layout: DataDirectory(home: dir + "/never-created"))
            let scan = try store.scan(project: nil)
            #expect(scan.tasks.isEmpty && scan.invalid.isEmpty)
            #expect(try store.find(Self.id("a1")) == nil)
        }
    }

    /// 8 threads × 200 read-modify-write updates of one task, each through its own store
    /// instance (its own descriptors), each adding a unique marker: all 1600 must survive.
    @Test func eightThreadsNeverLoseAnUpdate() throws {
        try withTemporaryDirectory { dir in
            let layout = DataDirectory(home: dir)
            var task = TaskRecord(id: Self.id("shared"), project: Self.project, branch: "shared", body: "body\n")
            task.extra = [FrontmatterEntry(key: "stress", value: .list([]))]
            try FileTaskStore(layout: layout).create(task)
            let errors = runOnThreads(8) { worker in
                let store = FileTaskStore(layout: layout)
                for i in 0..<200 {
                    try store.update(Self.id("shared"), in: Self.project) { record in
                        guard let index = record.extra.firstIndex(where: { $0.key == "stress" }),
                            case .list(let items) = record.extra[index].value
                        else { return }
                        record.extra[index].value = .list(items + [.string("w\(worker)-\(i)")])
                    }
                }
            }
            #expect(errors.isEmpty, "\(errors.prefix(3))")
            let final = try #require(try FileTaskStore(layout: layout).find(task.id))
            guard case .list(let markers)? = final.extra.first(where: { $0.key == "stress" })?.value else {
                Issue.record("the stress key was lost")
                return
            }
            let texts = markers.compactMap(\.text)
            #expect(texts.count == 1600 && Set(texts).count == 1600)
            #expect(final.body == "body\n")
            #expect(try temporaryFiles(in: layout.taskDirectory(task.id, in: Self.project)).isEmpty)
        }
    }
}
