import OrangeCore
import OrangeSystem
import OrangeTestSupport
import Testing

@Suite struct LeftoverSweepTests {
    @Test func leftoversOfDeadProcessesGoAndEverythingElseStays() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let home = directory.path
        let task = home + "/tasks/p/t1"
        try FileSystem.makeDirectories(task)
        try FileSystem.makeDirectories(home + "/tasks/p/.orange-deleted-t2-200-1")
        try FileSystem.makeDirectories(home + "/tasks/p/.orange-deleted-t3-100-1")
        try FileSystem.makeDirectories(home + "/tasks/p/.orange-new-t4-200-1")
        try FileSystem.makeDirectories(home + "/tasks/p/.orange-new-t5-100-1")
        // Not a task folder (an editor's backup): not looked into.
        try FileSystem.makeDirectories(home + "/tasks/p/t6~")
        for path in [
            task + "/TASK.md", task + "/.TASK.md.orange-tmp-200-3", task + "/.TASK.md.orange-tmp-100-4",
            home + "/.projects.json.orange-tmp-200-1", task + "/notes.txt", home + "/tasks/.orange-cookie-sync-200-1",
            home + "/tasks/p/t6~/.TASK.md.orange-tmp-200-5",
        ] {
            try FileSystem.createEmptyFile(path)
        }
        // Process 100 is alive, 200 is gone.
        let removed = LeftoverSweep.run(home: home, project: nil, isAlive: { $0 == 100 })
        #expect(
            Set(removed) == [
                task + "/.TASK.md.orange-tmp-200-3", home + "/.projects.json.orange-tmp-200-1", home + "/tasks/p/.orange-deleted-t2-200-1",
                home + "/tasks/p/.orange-new-t4-200-1",
            ])
        for kept in [
            task + "/TASK.md", task + "/.TASK.md.orange-tmp-100-4", task + "/notes.txt", home + "/tasks/.orange-cookie-sync-200-1",
            home + "/tasks/p/.orange-deleted-t3-100-1", home + "/tasks/p/.orange-new-t5-100-1",
            home + "/tasks/p/t6~/.TASK.md.orange-tmp-200-5",
        ] {
            #expect(FileSystem.fileExists(kept), "\(kept)")
        }
    }
}
