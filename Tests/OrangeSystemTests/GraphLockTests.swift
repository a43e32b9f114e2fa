import OrangeCore
import OrangeSystem
import OrangeTestSupport
import Synchronization
import Testing

/// The per-project graph lock of the file store: where it lives, that it excludes, and that it
/// is taken before a task's lock without deadlocking with the store's own writes.
@Suite struct GraphLockTests {
    let coffee = ProjectName(validating: "coffee")!

    @Test func itLivesHiddenInTheProjectFolderMadeOnFirstUse() throws {
        try withTemporaryDirectory { dir in
            let layout = DataDirectory(home: dir)
            let store = FileTaskStore(layout: layout)
            #expect(layout.graphLockFile(coffee) == dir + "/tasks/coffee/.graph.lock")
            let held = try store.withGraphLock(of: coffee) { FileLock.isHeld(layout.graphLockFile(coffee)) }
            #expect(held)
            #expect(!FileLock.isHeld(layout.graphLockFile(coffee)))
            #expect(FileSystem.status(layout.graphLockFile(coffee))?.mode == 0o600)
            // Scans pass over it: it is not a task.
            #expect(try store.scan(project: nil).tasks.isEmpty && store.scan(project: nil).invalid.isEmpty)
        }
    }

    /// Threads each validate-then-write under the graph lock, with the task's own lock inside it
    /// (the order every edge write uses): nobody is ever inside together, and no write is lost.
    @Test func excludesOtherWritersAndNestsTheTaskLock() throws {
        try withTemporaryDirectory { dir in
            let store = FileTaskStore(layout: DataDirectory(home: dir))
            let id = TaskID(validating: "t1")!
            try store.create(TaskRecord(id: id, project: coffee, branch: "b"))
            let inside = Atomic<Int>(0)
            let overlaps = Atomic<Int>(0)
            let errors = runOnThreads(4) { _ in
                for _ in 0..<25 {
                    try store.withGraphLock(of: coffee) {
                        if inside.add(1, ordering: .sequentiallyConsistent).newValue != 1 { overlaps.add(1, ordering: .relaxed) }
                        let seen = try store.find(id)!.description.count
                        try store.update(id, in: coffee) { $0.description = String(repeating: "x", count: seen + 1) }
                        inside.subtract(1, ordering: .sequentiallyConsistent)
                    }
                }
            }
            #expect(errors.isEmpty, "\(errors)")
            #expect(overlaps.load(ordering: .relaxed) == 0)
            #expect(try store.find(id)?.description.count == 100)
        }
    }
}
