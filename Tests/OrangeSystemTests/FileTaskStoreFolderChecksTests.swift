import Glibc
import OrangeCore
import OrangeSystem
import OrangeTestSupport
import Testing

/// `folderChecks(in:)`, the catch-up's per-task checks from the project's open folder, answers
/// as the store's path calls do, and finishes a dead writer's status write.
@Suite struct FileTaskStoreFolderChecksTests {
    static let project = ProjectName(validating: "coffee")!

    static func makeTask(_ id: String, status: TaskStatus = .pending) -> TaskRecord {
        var task = TaskRecord(
            id: TaskID(validating: id)!, project: project, branch: "b-\(id)", description: "desc \(id)",
            createdAt: Timestamp(millisecondsSinceEpoch: 1), updatedAt: Timestamp(millisecondsSinceEpoch: 1))
        task.status = status
        return task
    }

    /// Sets a file's modification time, in seconds.
    static func touch(_ path: String, seconds: Int) {
        var times = [timespec(tv_sec: seconds, tv_nsec: 0), timespec(tv_sec: seconds, tv_nsec: 0)]
        #expect(utimensat(AT_FDCWD, path, &times, 0) == 0)
    }

    @Test func answersAsThePathCallsForEveryCase() throws {
        try withTemporaryDirectory { dir in
            let layout = DataDirectory(home: dir)
            let store = FileTaskStore(layout: layout)
            for name in ["older", "newer", "same", "nohistory", "nofile"] {
                let task = Self.makeTask(name)
                try store.create(task)
                try store.appendHistory(
                    HistoryEvent(type: "task.created", timestamp: Timestamp(millisecondsSinceEpoch: 1), fields: [("status", "pending")]),
                    for: task.id,
                    in: Self.project)
            }
            let id = { (name: String) in TaskID(validating: name)! }
            let (file, history) = ({ layout.taskFile(id($0), in: Self.project) }, { layout.historyFile(id($0), in: Self.project) })
            Self.touch(file("older"), seconds: 100)
            Self.touch(history("older"), seconds: 200)
            Self.touch(file("newer"), seconds: 300)
            Self.touch(history("newer"), seconds: 200)
            Self.touch(file("same"), seconds: 200)
            Self.touch(history("same"), seconds: 200)
            try FileSystem.removeTree(history("nohistory"))
            try FileSystem.removeTree(file("nofile"))
            let checks = store.folderChecks(in: Self.project)
            let expected = ["older": false, "newer": true, "same": false, "nohistory": true, "nofile": false, "missing": false]
            for (name, newer) in expected {
                #expect(try checks.recoverInterruptedWriteThenCheckNewer(id(name)) == newer, "\(name)")
                #expect(store.taskFileIsNewerThanHistory(id(name), in: Self.project) == newer, "\(name)")
            }
            // A project with no folder: the path calls' answer.
            let none = store.folderChecks(in: ProjectName(validating: "none")!)
            #expect(try none.recoverInterruptedWriteThenCheckNewer(id("newer")) == false)
        }
    }

    /// A status write killed after TASK.md and before its history line left its journal: the
    /// check writes the line, removes the journal, and then answers on the files as they are.
    @Test func aJournalLeftByADeadWriterIsFinished() throws {
        try withTemporaryDirectory { dir in
            let layout = DataDirectory(home: dir)
            let store = FileTaskStore(layout: layout)
            let task = Self.makeTask("t1")
            try store.create(task)
            var done = task
            done.status = .done
            try AtomicFile.write(done.rendered(), to: layout.taskFile(task.id, in: Self.project))
            let line = HistoryEvent.statusChanged(from: .pending, to: .done, by: .engine, at: Timestamp(millisecondsSinceEpoch: 9))
            let journal = layout.taskDirectory(task.id, in: Self.project) + "/.status-journal"
            try AtomicFile.write("{\"status\":\"done\"}\n" + line.json.rendered() + "\n", to: journal)
            let historyBefore = try store.history(of: task.id, in: Self.project).count

            let checks = store.folderChecks(in: Self.project)
            // The line just appended makes the history the newer file.
            #expect(try checks.recoverInterruptedWriteThenCheckNewer(task.id) == false)
            #expect(FileSystem.status(journal) == nil, "the journal was left")
            let history = try store.history(of: task.id, in: Self.project)
            #expect(history.count == historyBefore + 1)
            #expect(history.lastRecordedStatus == .done)
            // Once: nothing more on a second check.
            #expect(try checks.recoverInterruptedWriteThenCheckNewer(task.id) == false)
            #expect(try store.history(of: task.id, in: Self.project).count == historyBefore + 1)
        }
    }
}
