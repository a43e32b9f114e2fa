import OrangeCore
import OrangeSystem
import OrangeTestSupport
import Testing

/// The reconcile's scan drops each body while reading (docs/performance.md, the engine's memory):
/// it finds the same tasks and the same invalid files as the full scan, with empty bodies.
@Suite struct ScanWithoutBodiesTests {
    @Test func theScanWithoutBodiesIsTheScanWithEmptyBodies() throws {
        try withTemporaryDirectory { dir in
            let store = try storeOfTasksWithNotes(in: dir, count: 300, noteLines: 50) { task, i in
                task.blockedBy = i == 0 ? [] : [TaskID(validating: "t\(i / 2)")!]
            }
            try AtomicFile.write("---\nid: broken\n", to: store.taskFilePath(TaskID(validating: "t7")!, in: FileTaskStoreTests.project))
            let full = try store.scan(project: nil), light = try store.scanWithoutBodies(project: nil)
            #expect(light.tasks == full.tasks.map(\.withoutBody))
            #expect(light.invalid == full.invalid && light.invalid.count == 1)
            #expect(full.tasks.allSatisfy { !$0.body.isEmpty })
            // The in-memory store, through the protocol's default, agrees.
            let memory = InMemoryTaskStore()
            for task in full.tasks { try memory.create(task) }
            #expect(try memory.scanWithoutBodies(project: nil).tasks == light.tasks)
        }
    }
}
