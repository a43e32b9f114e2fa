import Glibc
import OrangeCore
import OrangeSystem
import OrangeTestSupport
import Testing

@Suite struct FileTaskStoreTests {
    static let project = ProjectName(validating: "coffee")!

    static func makeTask(_ id: String, at ms: Int64 = 1) -> TaskRecord {
        TaskRecord(
            id: TaskID(validating: id)!, project: project, branch: "b-\(id)", description: "desc \(id)",
            createdAt: Timestamp(millisecondsSinceEpoch: ms), updatedAt: Timestamp(millisecondsSinceEpoch: ms),
            body: "## Notes\n\nkeep me  \n")
    }

    @Test func createFindScanUpdateDeleteAndHistory() throws {
        try withTemporaryDirectory { dir in
            let store = FileTaskStore(layout: DataDirectory(home: dir))
            let a = Self.makeTask("a1", at: 2), b = Self.makeTask("b2", at: 1)
            try store.create(a)
            try store.create(b)
            #expect(throws: TaskStoreError.self) { try store.create(a) }
            #expect(try store.find(a.id) == a)
            #expect(try store.find(TaskID(validating: "zz")!) == nil)
            #expect(try store.scan(project: nil).tasks.map(\.id.rawValue) == ["b2", "a1"])

            let (before, after) = try store.update(a.id, in: Self.project) { $0.status = .working }
            #expect(before.status == .pending && after.status == .working)
            #expect(try store.find(a.id)?.status == .working)
            #expect(try FileSystem.readText(store.taskFilePath(a.id, in: Self.project)).hasSuffix("---\n## Notes\n\nkeep me  \n"))

            try store.appendHistory(
                HistoryEvent(type: "status.changed", timestamp: Timestamp(millisecondsSinceEpoch: 5), fields: [("to", "working")]),
                for: a.id, in: Self.project)
            try AtomicFile.appendLine("not json", to: DataDirectory(home: dir).historyFile(a.id, in: Self.project))
            // The update's own status line (written by the store), then the appended one.
            #expect(try store.history(of: a.id, in: Self.project).map(\.type) == ["status.changed", "status.changed"])

            try store.delete(a.id, in: Self.project)
            #expect(try store.find(a.id) == nil)
            #expect(try FileSystem.listDirectory(dir + "/tasks/coffee") == ["b2"])
        }
    }

    @Test func unchangedUpdateDoesNotWrite() throws {
        try withTemporaryDirectory { dir in
            let store = FileTaskStore(layout: DataDirectory(home: dir))
            try store.create(Self.makeTask("a1"))
            let path = store.taskFilePath(TaskID(validating: "a1")!, in: Self.project)
            let inode = FileSystem.status(path)?.inode
            try store.update(TaskID(validating: "a1")!, in: Self.project) { $0.description = "desc a1" }
            #expect(FileSystem.status(path)?.inode == inode, "an unchanged task was rewritten")
        }
    }

    @Test func malformedFilesAreReportedWithLineAndNeverWritten() throws {
        try withTemporaryDirectory { dir in
            let layout = DataDirectory(home: dir)
            let store = FileTaskStore(layout: layout)
            let id = TaskID(validating: "bad")!
            try FileSystem.makeDirectories(layout.taskDirectory(id, in: Self.project))
            let text = "---\nid: bad\nproject: coffee\nstatus: sideways\n---\n"
            try AtomicFile.write(text, to: layout.taskFile(id, in: Self.project))
            let mismatch = TaskID(validating: "other")!
            try FileSystem.makeDirectories(layout.taskDirectory(mismatch, in: Self.project))
            try AtomicFile.write(
                "---\nid: elsewhere\nproject: coffee\nstatus: pending\n---\n", to: layout.taskFile(mismatch, in: Self.project))
            try FileSystem.makeDirectories(dir + "/tasks/coffee/not..an id")
            try FileSystem.makeDirectories(dir + "/tasks/bad--project")

            let scan = try store.scan(project: nil)
            #expect(scan.tasks.isEmpty)
            let reasons = scan.invalid.map(\.description)
            #expect(reasons.contains { $0.hasPrefix(layout.taskFile(id, in: Self.project) + ":4: ") })
            #expect(reasons.contains { $0.contains("id 'elsewhere' does not match its folder 'other'") })
            #expect(reasons.contains { $0.contains("'not..an id' is not a valid task id") })
            #expect(reasons.contains { $0.contains("must not contain '--'") })
            #expect(throws: TaskStoreError.self) { try store.update(id, in: Self.project) { $0.status = .done } }
            #expect(try FileSystem.readText(layout.taskFile(id, in: Self.project)) == text)
        }
    }

    @Test func deleteNeverFollowsSymlinksOutOfTheTaskFolder() throws {
        try withTemporaryDirectory { dir in
            let store = FileTaskStore(layout: DataDirectory(home: dir + "/home"))
            let task = Self.makeTask("a1")
            try store.create(task)
            try FileSystem.makeDirectories(dir + "/outside")
            try AtomicFile.write("precious", to: dir + "/outside/file")
            try FileSystem.createSymbolicLink(at: dir + "/home/tasks/coffee/a1/link", pointingTo: dir + "/outside")
            try store.delete(task.id, in: Self.project)
            #expect(try FileSystem.readText(dir + "/outside/file") == "precious")
        }
    }

    @Test func atomicWriteLeavesNoTemporaryFileOnFailureAndKeepsTheMode() throws {
        try withTemporaryDirectory { dir in
            let path = dir + "/file"
            try AtomicFile.write("one", to: path, mode: 0o640)
            try AtomicFile.write("two", to: path)
            #expect(FileSystem.status(path)?.mode == 0o640)
            #expect(try FileSystem.readText(path) == "two")
            try FileSystem.makeDirectories(dir + "/ro")
            chmod(dir + "/ro", 0o500)
            defer { chmod(dir + "/ro", 0o700) }
            if getuid() != 0 {  // root ignores directory permissions
                #expect(throws: SystemError.self) { try AtomicFile.write("x", to: dir + "/ro/file") }
            }
            #expect(try FileSystem.listDirectory(dir + "/ro").isEmpty)
            #expect(try FileSystem.listDirectory(dir) == ["file", "ro"])
        }
    }

    // MARK: - No lost update across processes

    static let stressHome = "ORANGE_STRESS_HOME"
    static let stressWorker = "ORANGE_STRESS_WORKER"
    static let updatesPerWorker = 200

    /// 8 processes × 200 read-modify-write updates of one task, each appending its own marker
    /// to a list under a key orange does not own: every one of the 1600 must survive.
    @Test func eightProcessesNeverLoseAnUpdate() throws {
        try withTemporaryDirectory { dir in
            let store = FileTaskStore(layout: DataDirectory(home: dir))
            var task = Self.makeTask("shared")
            task.extra = [FrontmatterEntry(key: "stress", value: .list([]))]
            try store.create(task)
            let runner = ProcessRunner()
            // The same test binary, asked to run only the worker below.
            let argv = [CommandLine.arguments[0], "--testing-library", "swift-testing", "--filter", "stressWorker"]
            let script =
                (0..<8).map { k in
                    "\(Self.stressWorker)=\(k) " + argv.map(ShellQuoting.quote).joined(separator: " ") + " >/dev/null 2>&1 &"
                }.joined(separator: "\n") + "\nwait"
            let result = try runner.run(["sh", "-c", script], environment: [Self.stressHome: dir], input: nil, timeoutSeconds: 300)
            #expect(result.exitCode == 0)
            let final = try #require(try store.find(task.id))
            guard case .list(let markers)? = final.extra.first(where: { $0.key == "stress" })?.value else {
                Issue.record("stress key lost")
                return
            }
            let texts = markers.compactMap(\.text)
            #expect(texts.count == 8 * Self.updatesPerWorker)
            #expect(Set(texts).count == 8 * Self.updatesPerWorker)
        }
    }

    @Test(.enabled(if: FileTaskStoreTests.isStressWorker)) func stressWorker() throws {
        let env = ProcessEnvironment.current()
        let store = FileTaskStore(layout: DataDirectory(home: try #require(env[Self.stressHome])))
        let worker = try #require(env[Self.stressWorker])
        for i in 0..<Self.updatesPerWorker {
            try store.update(TaskID(validating: "shared")!, in: Self.project) { record in
                let index = record.extra.firstIndex { $0.key == "stress" }!
                guard case .list(let items) = record.extra[index].value else { return }
                record.extra[index].value = .list(items + [.string("w\(worker)-\(i)")])
            }
        }
    }

    static var isStressWorker: Bool { ProcessEnvironment.current()[stressWorker] != nil }
}
