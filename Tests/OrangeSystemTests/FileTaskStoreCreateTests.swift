import OrangeCore
import OrangeSystem
import OrangeTestSupport
import Synchronization
import Testing

/// A task folder appears with its TASK.md already inside: a create killed half way must not leave
/// a folder without its file, which doctor reports and cannot repair (seen in the crash test).
@Suite struct FileTaskStoreCreateTests {
    static let project = ProjectName(validating: "coffee")!

    @Test func aNewTaskFolderIsNeverSeenWithoutItsTaskFile() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let layout = DataDirectory(home: directory.path)
        let store = FileTaskStore(layout: layout)
        try store.create(TaskRecord(id: TaskID(validating: "first")!, project: Self.project, branch: "first"))
        let projectFolder = layout.projectTasksDirectory(Self.project)
        let done = Atomic<Bool>(false)
        let seenEmpty = Mutex<[String]>([])
        // A reader that lists the project folder as fast as it can, as a scan or doctor would.
        let errors = runOnThreads(2) { thread in
            if thread == 0 {
                defer { done.store(true, ordering: .releasing) }
                for index in 0..<300 {
                    let id = TaskID(validating: "t\(index)")!
                    try store.create(TaskRecord(id: id, project: Self.project, branch: "b\(index)"))
                }
                return
            }
            while !done.load(ordering: .acquiring) {
                for name in (try? FileSystem.listDirectory(projectFolder)) ?? [] where !name.hasPrefix(".") {
                    let folder = projectFolder + "/" + name
                    if !FileSystem.fileExists(folder + "/TASK.md") && FileSystem.fileExists(folder) {
                        seenEmpty.withLock { $0.append(name) }
                    }
                }
            }
        }
        #expect(errors.isEmpty, "\(errors)")
        let foldersSeenEmpty = Set(seenEmpty.withLock { $0 }).count
        #expect(
            foldersSeenEmpty == 0, "task folders seen without their TASK.md: \(seenEmpty.withLock { Array(Set($0)).sorted().prefix(5) })")
        // Nothing is left beside the tasks: no staging folder stays once a create returned.
        let names = try FileSystem.listDirectory(projectFolder)
        #expect(
            names.filter { $0.hasPrefix(".") }.filter { TransientFileNames.parse($0) != nil }.isEmpty,
            "\(names.filter { $0.hasPrefix(".") })")
        #expect(try store.scanWithoutBodies(project: Self.project).tasks.count == 301)
    }

    @Test func aCreateOfAnIDThatExistsIsRefusedAndLeavesNothing() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let layout = DataDirectory(home: directory.path)
        let store = FileTaskStore(layout: layout)
        let id = TaskID(validating: "twice")!
        try store.create(TaskRecord(id: id, project: Self.project, branch: "one"))
        #expect(throws: TaskStoreError.self) { try store.create(TaskRecord(id: id, project: Self.project, branch: "two")) }
        #expect(try store.find(id)?.branch == "one")
        // An empty folder (a person's, or an older orange's leftover) is filled in place.
        let empty = TaskID(validating: "empty")!
        try FileSystem.makeDirectories(layout.taskDirectory(empty, in: Self.project))
        try store.create(TaskRecord(id: empty, project: Self.project, branch: "e"))
        #expect(try store.find(empty)?.branch == "e")
        let hidden = try FileSystem.listDirectory(layout.projectTasksDirectory(Self.project)).filter { $0.hasPrefix(".orange-") }
        #expect(hidden.isEmpty, "\(hidden)")
    }
}
