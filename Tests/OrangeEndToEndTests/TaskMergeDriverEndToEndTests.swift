import OrangeCore
import OrangeSystem
import OrangeTestSupport
import Testing

/// Two machines share a tasks folder through a bare remote; both edit the same TASK.md and
/// commit, and a `git pull` on the second runs orange's merge driver (registered with
/// `TaskMergeDriver.register`, run by git as the built binary): docs/task-merge.md.
@Suite struct TaskMergeDriverEndToEndTests {
    static let taskPath = "coffee/T1/TASK.md"
    static let historyPath = "coffee/T1/history.jsonl"

    static let baseFile = """
        ---
        id: T1
        project: coffee
        status: pending
        description: Make coffee
        blocked_by: [A1]
        children: []
        updated_at: '2026-01-01T00:00:00.000Z'
        my_note: kept by every merge
        ---
        First line of the body.
        Middle line.
        Last line of the body.

        """

    /// Two clones of one remote: machine A in the harness's folder, machine B as the harness's
    /// own tasks folder (so `orange` reads what B's merge wrote). A pushed the base task.
    struct Machines {
        let h: OrangeHarness
        let a: String
        let b: String

        init(_ h: OrangeHarness) throws {
            self.h = h
            let remote = h.directory.path + "/tasks-remote.git"
            a = h.directory.path + "/machine-a"
            b = h.home + "/tasks"
            try h.runner.check(["git", "init", "-q", "--bare", "-b", "main", remote])
            try h.runner.check(["git", "clone", "-q", remote, a], environment: h.environment)
            #expect(try TaskMergeDriver.register(inRepository: a, orangeExecutable: OrangeHarness.binary) == true)
            try FileSystem.makeDirectories(a + "/coffee/T1")
            try AtomicFile.write(TaskMergeDriverEndToEndTests.baseFile, to: a + "/" + taskPath)
            try AtomicFile.write("{\"type\":\"task.created\"}\n", to: a + "/" + historyPath)
            try commit(a, "the task")
            try h.runner.check(["git", "-C", a, "push", "-q", "origin", "HEAD:main"], environment: h.environment)
            try FileSystem.makeDirectories(h.home)
            try h.runner.check(["git", "clone", "-q", remote, b], environment: h.environment)
            // The attributes came with the clone; the driver's config is each machine's own.
            #expect(try TaskMergeDriver.register(inRepository: b, orangeExecutable: OrangeHarness.binary) == false)
        }

        var taskPath: String { TaskMergeDriverEndToEndTests.taskPath }

        func edit(_ clone: String, _ change: (String) -> String, history: String) throws {
            let path = clone + "/" + taskPath
            try AtomicFile.write(change(try FileSystem.readText(path)), to: path)
            let historyFile = clone + "/" + TaskMergeDriverEndToEndTests.historyPath
            try AtomicFile.write(try FileSystem.readText(historyFile) + history + "\n", to: historyFile)
        }

        func commit(_ clone: String, _ message: String) throws {
            try h.runner.check(["git", "-C", clone, "add", "-A"], environment: h.environment)
            try h.runner.check(["git", "-C", clone, "commit", "-q", "-m", message], environment: h.environment)
        }

        /// A commits and pushes its edit; B commits its own and pulls (a merge, not a rebase).
        func pull(a editA: (String) -> String, b editB: (String) -> String) throws -> ProcessResult {
            try edit(a, editA, history: "{\"type\":\"from.a\"}")
            try commit(a, "machine A")
            try h.runner.check(["git", "-C", a, "push", "-q", "origin", "HEAD:main"], environment: h.environment)
            try edit(b, editB, history: "{\"type\":\"from.b\"}")
            try commit(b, "machine B")
            return try h.runner.run(
                ["git", "-C", b, "pull", "--no-rebase", "--no-edit", "origin", "main"], environment: h.environment, input: nil,
                timeoutSeconds: 60)
        }
    }

    @Test func registrationWritesTheAttributesOnceAndTheDriverWithTheBinarysPath() throws {
        let h = try OrangeHarness()
        let repo = h.directory.path + "/repo"
        try h.runner.check(["git", "init", "-q", repo])
        try AtomicFile.write("*.png binary\n", to: repo + "/.gitattributes")
        let executable = h.directory.path + "/it's here/orange"
        #expect(try TaskMergeDriver.register(inRepository: repo, orangeExecutable: executable) == true)
        #expect(try FileSystem.readText(repo + "/.gitattributes") == "*.png binary\nTASK.md merge=orange-task\nhistory.jsonl merge=union\n")
        #expect(try TaskMergeDriver.register(inRepository: repo, orangeExecutable: executable) == false)
        let driver = try h.runner.check(["git", "-C", repo, "config", "merge.orange-task.driver"]).stdout.trimmingTrailingNewlines()
        #expect(driver == "'\(h.directory.path)/it'\\''s here/orange' sync merge-driver %O %A %B %P")
        let attribute = try h.runner.check(["git", "-C", repo, "check-attr", "merge", "--", "coffee/T1/TASK.md"]).stdout
        #expect(attribute.hasSuffix("merge: orange-task\n"), "\(attribute)")
    }

    @Test func concurrentEditsOfOneTaskMergeFieldByField() throws {
        let h = try OrangeHarness()
        let machines = try Machines(h)
        let pull = try machines.pull(
            a: {
                $0.replacing("status: pending", with: "status: working").replacing("[A1]", with: "[A1, B1]")
                    .replacing("First line", with: "FIRST line").replacing("00:00:00.000Z", with: "00:00:05.000Z")
            },
            b: {
                $0.replacing("[A1]", with: "[A1, C1]").replacing("Last line", with: "LAST line")
                    .replacing("00:00:00.000Z", with: "00:00:03.000Z")
            })
        #expect(pull.exitCode == 0, "\(pull.stdout) \(pull.stderr)")
        let text = try FileSystem.readText(machines.b + "/" + Self.taskPath)
        let task = try TaskRecord.parse(text)
        #expect(task.status == .working)
        #expect(task.blockedBy.map(\.rawValue) == ["A1", "C1", "B1"])
        #expect(task.body == "FIRST line of the body.\nMiddle line.\nLAST line of the body.\n")
        #expect(task.updatedAt == Timestamp(rfc3339: "2026-01-01T00:00:05.000Z"))
        #expect(task.extra.map(\.key) == ["my_note"])
        #expect(TaskFileMerge.conflictFields(of: task) == nil)
        // The history files are the union of both machines' lines.
        let history = try FileSystem.readText(machines.b + "/" + Self.historyPath)
        #expect(history.contains("from.a") && history.contains("from.b"), "\(history)")
        // orange reads the merged task like any other.
        let shown = try h.task(["task", "show", "T1"])
        #expect(shown["status"] == "working")
    }

    @Test func aConflictKeepsBothSidesMarksTheTaskAndIsReported() throws {
        let h = try OrangeHarness()
        let machines = try Machines(h)
        let pull = try machines.pull(
            a: {
                $0.replacing("Make coffee", with: "Make tea").replacing("Middle line.", with: "Middle line from A.")
                    .replacing("[A1]", with: "[A1, B1]")
            },
            b: { $0.replacing("Make coffee", with: "Make cocoa").replacing("Middle line.", with: "Middle line from B.") })
        #expect(pull.exitCode != 0, "git reports the conflict: \(pull.stdout)")
        #expect((pull.stdout + pull.stderr).contains("description, body"), "\(pull.stdout) \(pull.stderr)")
        let text = try FileSystem.readText(machines.b + "/" + Self.taskPath)
        let task = try TaskRecord.parse(text)
        // Nothing is lost: both descriptions and both body lines are in the file.
        for kept in ["Make tea", "Make cocoa", "Middle line from A.", "Middle line from B."] {
            #expect(text.contains(kept), "\(kept) is lost: \(text)")
        }
        #expect(task.blockedBy.map(\.rawValue) == ["A1", "B1"], "what merged still merged")
        #expect(TaskFileMerge.conflictFields(of: task) == ["description", "body"])
        #expect(text.contains("<<<<<<< ours") && text.contains(TaskFileMerge.sectionHeading))
        // Reported by `task show` and by `orange doctor`.
        let show = try h.orange(["task", "show", "T1"])
        #expect(
            show.stdout.contains("! merge conflict: two machines changed description, body differently and the file keeps both sides"),
            "\(show.stdout)")
        let doctor = try h.orange(["doctor", "--json"])
        #expect(doctor.exitCode == 1)
        let findings = try JSONValue.parse(doctor.stdout)["problems"]?.arrayValue ?? []
        let flagged = findings.filter { $0["kind"] == "merge_conflict" }
        #expect(flagged.count == 1 && flagged.first?["path"]?.stringValue?.hasSuffix(Self.taskPath) == true, "\(doctor.stdout)")
        // And by the engine, when it reads the marked task.
        let pid = try h.startWatch(in: h.directory.path)
        defer { h.stopWatch(pid) }
        let clock = SystemClock()
        let deadline = clock.monotonicNanoseconds() + 20_000_000_000
        while !h.watchLog.contains("TASK.md: merge conflict: two machines changed description, body")
            && clock.monotonicNanoseconds() < deadline
        {
            clock.sleep(milliseconds: 20)  // a poll interval, not a wait for the outcome
        }
        #expect(h.watchLog.contains("/coffee/T1/TASK.md: merge conflict: two machines changed description, body"), "\(h.watchLog)")
    }

    @Test func aSideOrangeCannotReadIsMergedAsTextWithBothSides() throws {
        let h = try OrangeHarness()
        let folder = h.directory.path
        let ours = Self.baseFile.replacing("Make coffee", with: "Make tea")
        try AtomicFile.write(Self.baseFile, to: folder + "/base")
        try AtomicFile.write(ours, to: folder + "/current")
        try AtomicFile.write("---\nid: [T1\n---\nTheir body.\n", to: folder + "/other")
        let result = try h.orange(["sync", "merge-driver", "base", "current", "other", Self.taskPath], in: folder)
        #expect(result.exitCode == 1, "\(result.stdout) \(result.stderr)")
        #expect(result.stdout.contains("not merged field by field (theirs line 2"), "\(result.stdout)")
        let text = try FileSystem.readText(folder + "/current")
        #expect(text.contains("<<<<<<< ours") && text.contains("Make tea") && text.contains("id: [T1") && text.contains("Their body."))
    }
}
