import OrangeCore
import OrangeTestSupport
import Testing

@Suite struct DataDirectoryCheckTests {
    private func id(_ text: String) -> TaskID { TaskID(validating: text)! }
    private let coffee = ProjectName(validating: "coffee")!

    @Test func aHealthyDataFolderHasNoFindings() {
        var b = DoctorSnapshotBuilder()
        b.file("projects.json", #"[{"name": "coffee", "path": "/src/coffee", "default_branch": "main", "pool_size": 2}]"#)
        b.existingDirectories = ["/src/coffee"]
        b.file("config.json", #"{"harnesses": {"mine": {"command": ["my-agent", "{prompt}"]}}}"#)
        b.file(
            "workspaces/.pool.json",
            #"{"workspaces": {"coffee--1": {"status": "bound", "task": "C1"}, "coffee--2": {"status": "available"}}}"#)
        b.folder("workspaces/coffee--1")
        b.folder("workspaces/coffee--2")
        b.add("workspaces/.pool.lock", .file)
        b.task("P1", ["status: delegated", "children: [C1, C2]"])
        b.task("C1", ["status: working", "parent: P1", "workspace: coffee--1"])
        b.task("C2", ["parent: P1", "blocked_by: [C1]"])
        b.task("D1", ["status: done", "children: [Gone1]"])  // a finished parent may list a deleted child
        b.task("O1", ["parent: Gone2"])  // a deleted parent leaves its child on its own
        b.add("tasks/coffee/D1/TASK.md.from-workspace", .file)
        b.add("tasks/coffee/D1/.TASK.md.swp", .file)  // an editor's, hidden: not orange's business
        b.folder("tasks/.git")
        b.add("orange.log", .file)
        #expect(DataDirectoryCheck.run(b.snapshot()).isEmpty)
    }

    @Test func aBoundWorkspaceWhoseTaskFileIsNoLongerTheLinkIsReportedWithItsRepair() {
        var b = DoctorSnapshotBuilder()
        b.file(
            "workspaces/.pool.json",
            #"{"workspaces": {"coffee--1": {"status": "bound", "task": "W1"}, "coffee--2": {"status": "bound", "task": "W2"}, "coffee--3": {"status": "available"}}}"#
        )
        for n in 1...3 { b.folder("workspaces/coffee--\(n)") }
        b.task("W1", ["status: working", "workspace: coffee--1"])
        b.task("W2", ["status: working", "workspace: coffee--2"])
        b.add("tasks/coffee/W1/TASK.md.rejected-1234", .file)  // a copy kept aside earlier: expected there
        b.workspaceTaskFiles["coffee--1"] = SnapshotEntry("TASK.md", .file)
        b.workspaceTaskFiles["coffee--2"] = SnapshotEntry("TASK.md", .symlink(target: "/h/tasks/coffee/W2/TASK.md", targetExists: true))
        b.workspaceTaskFiles["coffee--3"] = SnapshotEntry("TASK.md", .file)  // free: its next task gets a new link
        let findings = DataDirectoryCheck.run(b.snapshot())
        #expect(findings.summary == ["detached_task_link workspaces/coffee--1/TASK.md"])
        #expect(findings.first?.fix == .repairWorkspaceTaskFile("coffee--1", task: id("W1")))
        #expect(findings.first?.reason.hasPrefix("detached TASK.md link") == true)
    }

    @Test func anEmptyOrMissingHomeIsClean() {
        #expect(DataDirectoryCheck.run(DataDirectorySnapshot(home: "/h", nowMilliseconds: 0, entries: [])).isEmpty)
    }

    @Test func strayEntriesInTheTasksTreeAreReportedWithWhy() {
        var b = DoctorSnapshotBuilder()
        b.task("A1")
        b.add("tasks/README.md", .file)
        b.add("tasks/coffee/notes.txt", .file)
        b.add("tasks/coffee/A1/draft.md", .file)
        b.folder("tasks/coffee/A1/attachments")
        b.add("tasks/coffee/L1", .symlink(target: "/elsewhere", targetExists: true))
        b.add("tasks/coffee/L2", .symlink(target: "/nowhere", targetExists: false))
        b.add("tasks/coffee/A1/link", .symlink(target: "../x", targetExists: false))
        b.add("tasks/coffee/Odd1", .unreadable(reason: "cannot list: Permission denied"))
        b.folder("tasks/bad name/X1")
        b.folder("tasks/a--b")
        b.folder("tasks/coffee/..x")
        b.folder("tasks/coffee/has-dash")
        b.folder("tasks/coffee/Empty1")
        b.add("tasks/coffee/Fifo1", .other)
        let findings = DataDirectoryCheck.run(b.snapshot())
        #expect(
            findings.summary == [
                "unexpected_entry tasks/README.md",
                "invalid_name tasks/a--b",
                "invalid_name tasks/bad name",
                "invalid_name tasks/coffee/..x",
                "unexpected_entry tasks/coffee/A1/attachments",
                "unexpected_entry tasks/coffee/A1/draft.md",
                "broken_symlink tasks/coffee/A1/link",
                "missing_task_file tasks/coffee/Empty1",
                "unexpected_entry tasks/coffee/Fifo1",
                "symlink tasks/coffee/L1",
                "broken_symlink tasks/coffee/L2",
                "unreadable tasks/coffee/Odd1",
                "invalid_name tasks/coffee/has-dash",
                "unexpected_entry tasks/coffee/notes.txt",
            ])
        #expect(findings.allSatisfy { $0.fix == nil && !$0.reason.isEmpty })
        #expect(findings.first { $0.path.hasSuffix("L2") }?.reason == "broken symbolic link (to /nowhere, which does not exist)")
        #expect(findings.first { $0.path.hasSuffix("a--b") }?.reason.contains("must not contain '--'") == true)
    }

    @Test func taskFilesAreJudgedAsTheStoreReadsThem() {
        var b = DoctorSnapshotBuilder()
        b.raw("Bad1", "---\nid: Bad1\nproject: coffee\nstatus: pending\nmeta:\n  nested: map\n---\n")
        b.raw("Copy1", DoctorSnapshotBuilder.taskText("Orig1"))
        b.task("Orig1")
        b.raw("Wrong1", "---\nid: Wrong1\nproject: tea\nstatus: pending\n---\n")
        b.add("tasks/coffee/Bin1/TASK.md", .file)
        b.files["/h/tasks/coffee/Bin1/TASK.md"] = .bytes(Array("---\nid: Bin1\n".utf8) + [0xFF, 0xFE] + Array("\n---\n".utf8))
        b.add("tasks/coffee/Link1/TASK.md", .symlink(target: "/etc/passwd", targetExists: true))
        b.add("tasks/coffee/Dir1/TASK.md", .directory(children: []))
        b.add("tasks/coffee/Perm1/TASK.md", .file)
        b.files["/h/tasks/coffee/Perm1/TASK.md"] = .unreadable(reason: "Permission denied")
        let findings = DataDirectoryCheck.run(b.snapshot())
        #expect(
            findings.summary == [
                "invalid_task_file tasks/coffee/Bad1/TASK.md:6",
                "invalid_task_file tasks/coffee/Bin1/TASK.md:3",
                "invalid_task_file tasks/coffee/Copy1/TASK.md:2",
                "invalid_task_file tasks/coffee/Dir1/TASK.md",
                "symlink tasks/coffee/Link1/TASK.md",
                "invalid_task_file tasks/coffee/Perm1/TASK.md",
                "invalid_task_file tasks/coffee/Wrong1/TASK.md:3",
            ])
        let reasons = Dictionary(findings.map { ($0.path.split(separator: "/")[3], $0.reason) }, uniquingKeysWith: { a, _ in a })
        #expect(reasons["Bad1"] == "nested maps are not supported in TASK.md front matter (key 'meta')")
        #expect(
            reasons["Copy1"] == "id 'Orig1' does not match its folder 'Copy1' (a copied folder? task 'Orig1' is at /h/tasks/coffee/Orig1)")
        #expect(reasons["Wrong1"] == "project 'tea' does not match its folder 'coffee'")
        #expect(reasons["Bin1"] == "is not valid UTF-8 (byte 13)")
        #expect(reasons["Perm1"] == "cannot read: Permission denied")
    }

    @Test func theSameIDInTwoProjectsIsReportedOnBothFolders() {
        var b = DoctorSnapshotBuilder()
        b.task("Dup1")
        b.task("Dup1", in: "tea")
        let findings = DataDirectoryCheck.run(b.snapshot())
        #expect(findings.summary == ["duplicate_id tasks/coffee/Dup1", "duplicate_id tasks/tea/Dup1"])
        #expect(findings[0].reason.hasPrefix("task id 'Dup1' is also used by /h/tasks/tea/Dup1;"))
    }

    @Test func graphProblemsNameTheFileAndTheKeyLine() {
        var b = DoctorSnapshotBuilder()
        b.task("A1", ["blocked_by: [Gone1, A1, T1, Bad1]"])
        b.task("T1", in: "tea")
        b.raw("Bad1", "---\nid: Bad1\n---\n")
        b.task("X1", ["blocked_by: [Y1]"])
        b.task("Y1", ["blocked_by: [X1]"])
        b.task("P1", ["status: delegated", "children: [Gone2]"])
        b.task("K1", ["parent: T1"])
        b.task("Q1", ["status: delegated", "children: [R1]"])
        b.task("R1", ["parent: S1"])
        b.task("S1")
        let findings = DataDirectoryCheck.run(b.snapshot())
        #expect(
            findings.summary == [
                "blocked_by_self tasks/coffee/A1/TASK.md:5",
                "blocker_in_other_project tasks/coffee/A1/TASK.md:5",
                "missing_blocker tasks/coffee/A1/TASK.md:5",
                "missing_blocker tasks/coffee/A1/TASK.md:5",
                "invalid_task_file tasks/coffee/Bad1/TASK.md:1",
                "parent_in_other_project tasks/coffee/K1/TASK.md:5",
                "missing_child tasks/coffee/P1/TASK.md:5",
                "conflicting_parent tasks/coffee/Q1/TASK.md:5",
                "one_sided_link tasks/coffee/S1/TASK.md",
                "cycle tasks/coffee/X1/TASK.md",
            ])
        let missing = findings.filter { $0.kind == .missingBlocker }.map(\.reason)
        #expect(missing.contains("blocked_by: task 'Gone1' does not exist; remove it with 'orange task update A1 --unblock Gone1'"))
        #expect(missing.contains { $0.hasPrefix("blocked_by: task 'Bad1' cannot be read") })
        #expect(findings.first { $0.kind == .cycle }?.reason.contains("cycle: X1 -> Y1 -> X1") == true)
        #expect(findings.first { $0.kind == .oneSidedLink }?.fix == .addChild(id("R1"), toParent: id("S1"), project: coffee))
        #expect(findings.filter { $0.kind != .oneSidedLink }.allSatisfy { $0.fix == nil })
    }

    @Test func leftoversAreStaleOnlyWhenTheirCreatorIsGoneOrTheyAreOld() {
        var b = DoctorSnapshotBuilder()
        b.task("A1")
        b.add("tasks/coffee/A1/.TASK.md.orange-tmp-100-0", .file)  // creator gone
        b.add("tasks/coffee/A1/.TASK.md.orange-tmp-200-1", .file)  // creator alive: a write in progress
        b.add("tasks/coffee/A1/.TASK.md.orange-tmp-200-2", .file, age: 2 * 3_600_000)  // alive pid, but hours old
        b.folder("tasks/coffee/.orange-deleted-Old1-100-3/x")
        b.add("tasks/.orange-cookie-sync-100-123456", .file)
        b.add("tasks/.orange-cookie-200-5", .file)
        b.add(".sync-100-99.done", .file)
        b.add(".projects.json.orange-tmp-100-7", .file)
        b.add("workspaces/..pool.json.orange-tmp-100-8", .file)
        b.add(".engine.lock", .file)
        b.alivePIDs = [200]
        let findings = DataDirectoryCheck.run(b.snapshot())
        #expect(
            findings.summary == [
                "stale_temporary_file .projects.json.orange-tmp-100-7",
                "stale_cookie .sync-100-99.done",
                "stale_cookie tasks/.orange-cookie-sync-100-123456",
                "stale_deleted_folder tasks/coffee/.orange-deleted-Old1-100-3",
                "stale_temporary_file tasks/coffee/A1/.TASK.md.orange-tmp-100-0",
                "stale_temporary_file tasks/coffee/A1/.TASK.md.orange-tmp-200-2",
                "stale_temporary_file workspaces/..pool.json.orange-tmp-100-8",
            ])
        #expect(findings.allSatisfy { $0.fix == .remove(path: $0.path) })
        #expect(findings.first { $0.path.hasSuffix("-200-2") }?.reason.contains("more than an hour old") == true)
    }

    @Test func aSpawnMarkerIsStaleOnlyWithoutItsLockHolder() {
        var b = DoctorSnapshotBuilder()
        b.task("Run1", ["status: working"])
        b.add("tasks/coffee/Run1/.spawning", .file)
        b.heldLocks = ["/h/tasks/coffee/Run1/.spawn.lock"]
        b.task("Dead1", ["status: working"])
        b.add("tasks/coffee/Dead1/.spawning", .file)
        b.add("tasks/coffee/Gone1/.spawning", .file)
        b.raw("Bad1", "---\nid: Bad1\nproject: coffee\nstatus: nope\n---\n")
        b.add("tasks/coffee/Bad1/.spawning", .file)
        let findings = DataDirectoryCheck.run(b.snapshot())
        #expect(
            findings.summary == [
                "stale_spawn_marker tasks/coffee/Bad1/.spawning",
                "invalid_task_file tasks/coffee/Bad1/TASK.md:4",
                "stale_spawn_marker tasks/coffee/Dead1/.spawning",
                "missing_task_file tasks/coffee/Gone1",
                "stale_spawn_marker tasks/coffee/Gone1/.spawning",
            ])
        #expect(findings[0].fix == nil, "the repair would rewrite a TASK.md that does not parse")
        #expect(findings[2].fix == .repairInterruptedSpawn(id("Dead1"), coffee))
        #expect(findings[4].fix == .remove(path: "/h/tasks/coffee/Gone1/.spawning"))
    }

    @Test func registriesAndThePoolAreChecked() {
        var b = DoctorSnapshotBuilder()
        b.file("projects.json", #"[{"name": "coffee", "path": "/src/coffee"}, {"name": "tea", "path": "/src/tea"}]"#)
        b.existingDirectories = ["/src/coffee"]
        b.file("config.json", #"{"harnesses": {"bad name!": {"command": ["x"]}}}"#)
        b.file(
            "workspaces/.pool.json",
            #"""
            {"workspaces": {"coffee--1": {"status": "bound", "task": "Gone1"}, "coffee--2": {"status": "bound", "task": "Bad1"},
             "coffee--3": {"status": "bound", "task": "A1"}, "coffee--4": {"status": "bound", "task": "S1"}}}
            """#)
        for n in 1...4 { b.folder("workspaces/coffee--\(n)") }
        b.raw("Bad1", "---\nid: Bad1\n---\n")
        b.task("A1", ["status: working", "workspace: coffee--9"])
        b.task("S1", ["status: working"])  // being spawned: pool written, task not yet
        b.heldLocks = ["/h/tasks/coffee/S1/.spawn.lock"]
        let findings = DataDirectoryCheck.run(b.snapshot())
        #expect(
            findings.summary == [
                "corrupt_config config.json",
                "missing_repository projects.json",
                "pool_mismatch tasks/coffee/A1/TASK.md:5",
                "invalid_task_file tasks/coffee/Bad1/TASK.md:1",
                "pool_mismatch workspaces/.pool.json",
                "pool_task_missing workspaces/.pool.json",
            ])
        #expect(findings.first { $0.kind == .poolTaskMissing }?.fix == .releaseWorkspace("coffee--1", task: id("Gone1")))
        #expect(
            findings.first { $0.kind == .missingRepository }?.reason.hasPrefix("project 'tea': its repository /src/tea does not exist")
                == true)
    }

    /// Shared tasks (`orange sync`): a task another machine runs names a workspace of that
    /// machine's pool; this pool not binding it is no problem. This machine's own task still is.
    @Test func anotherMachinesTaskNamingAWorkspaceIsNoPoolMismatch() {
        var b = DoctorSnapshotBuilder()
        b.file("projects.json", #"[{"name": "coffee", "path": "/src/coffee"}]"#)
        b.existingDirectories = ["/src/coffee"]
        b.file("workspaces/.pool.json", #"{"workspaces": {}}"#)
        b.task("Theirs1", ["status: working", "workspace: coffee--1", "claimed_by: m2"])
        b.task("Ours1", ["status: working", "workspace: coffee--2", "claimed_by: m1"])
        var snapshot = b.snapshot()
        snapshot.machine = "m1"
        #expect(DataDirectoryCheck.run(snapshot).summary == ["pool_mismatch tasks/coffee/Ours1/TASK.md:5"])
        snapshot.machine = nil
        #expect(DataDirectoryCheck.run(snapshot).summary.count == 2)
    }

    @Test func corruptRegistriesAreReportedNotTrusted() {
        var b = DoctorSnapshotBuilder()
        b.file("projects.json", "[{\"name\": \"a\", \"path\": \"/x\"}, {\"name\": \"a\", \"path\": \"/y\"}]")
        b.file("workspaces/.pool.json", "{\"workspaces\": {\"nope\": {}}}")
        b.file("config.json", "{not json")
        b.task("A1", ["workspace: coffee--1"])
        let findings = DataDirectoryCheck.run(b.snapshot())
        #expect(findings.summary == ["corrupt_config config.json", "corrupt_projects projects.json", "corrupt_pool workspaces/.pool.json"])
        #expect(findings[1].reason.hasPrefix("project 'a' is listed twice"))
        #expect(findings[2].reason == "invalid workspace name 'nope'")
    }

    @Test func aPoolWorktreeWithoutItsFolderIsReported() {
        var b = DoctorSnapshotBuilder()
        b.file("workspaces/.pool.json", #"{"workspaces": {"coffee--1": {"status": "available"}}}"#)
        #expect(DataDirectoryCheck.run(b.snapshot()).summary == ["pool_worktree_missing workspaces/.pool.json"])
    }

    /// Whatever the walker hands over (random names, kinds, bytes), the check returns findings
    /// inside the home and never traps.
    @Test func randomSnapshotsNeverTrap() {
        var rng = SeededRandom(seed: 0xD0C7_0512)
        let names = [
            "tasks", "coffee", "A1", "TASK.md", ".spawning", "..x", ".orange-deleted-A1-1-2", ".TASK.md.orange-tmp-1-1",
            "a--b", "\u{1B}[31m", "x\ny", "", "workspaces", ".pool.json", "coffee--1", "history.jsonl", "\u{FFFD}",
        ]
        func pick<T>(_ items: [T]) -> T { items[Int(rng.next() % UInt64(items.count))] }
        func below(_ n: Int) -> Int { Int(rng.next() % UInt64(n)) }
        let bytes: [UInt8] = Array("---\nid: A1[]{}\"':".utf8) + [0xFF, 0]
        func entries(_ depth: Int) -> [SnapshotEntry] {
            (0..<below(5)).map { _ in
                let kinds: [SnapshotEntry.Kind] = [
                    .file, .other, .symlink(target: "/x", targetExists: rng.next() % 2 == 0),
                    .unreadable(reason: "r"), .directory(children: depth > 0 ? entries(depth - 1) : nil),
                ]
                return SnapshotEntry(pick(names), pick(kinds), modifiedMilliseconds: Int64(below(100)))
            }
        }
        for _ in 0..<300 {
            var files: [String: SnapshotFile] = [:]
            for path in ["/h/projects.json", "/h/config.json", "/h/workspaces/.pool.json", "/h/tasks/coffee/A1/TASK.md"]
            where rng.next() % 2 == 0 {
                files[path] = .bytes((0..<below(40)).map { _ in pick(bytes) })
            }
            let snapshot = DataDirectorySnapshot(home: "/h", nowMilliseconds: 50, entries: entries(4), files: files, alivePIDs: [1])
            for finding in DataDirectoryCheck.run(snapshot) {
                #expect(finding.path.hasPrefix("/h/") && !finding.reason.isEmpty)
            }
        }
    }
}

@Suite struct TransientFileNameTests {
    @Test func namesBuiltByTheWritersParseBack() {
        let id = TaskID(validating: "Abc1")!
        #expect(
            TransientFileNames.parse(TransientFileNames.temporary(for: "TASK.md", pid: 42, counter: 7))
                == .init(kind: .temporary(target: "TASK.md"), pid: 42))
        #expect(
            TransientFileNames.parse(TransientFileNames.temporary(for: ".pool.json", pid: 3, counter: 0))
                == .init(kind: .temporary(target: ".pool.json"), pid: 3))
        #expect(
            TransientFileNames.parse(TransientFileNames.deletedTaskFolder(id, pid: 9, counter: 1))
                == .init(kind: .deletedTaskFolder, pid: 9))
        #expect(
            TransientFileNames.parse(TransientFileNames.syncAnswer(token: TransientFileNames.syncToken(pid: 5, counter: 123)))
                == .init(kind: .syncAnswer, pid: 5))
        #expect(TransientFileNames.parse(TaskTreeNames.syncCookieFileName(token: "8-1")) == .init(kind: .cookie, pid: 8))
        #expect(TransientFileNames.parse(TaskTreeNames.cookieFileName(token: "8-1")) == .init(kind: .cookie, pid: 8))
    }

    @Test func otherNamesAreNotTransient() {
        for name in [
            "TASK.md", ".lock", ".spawning", ".git", ".TASK.md.orange-tmp-", ".TASK.md.orange-tmp-x-1", ".orange-tmp-1-2",
            ".orange-deleted-A1-1", ".orange-deleted-../x-1-2", ".orange-cookie-", ".sync-.done", ".sync-1.done",
            ".TASK.md.orange-tmp-0-1", ".TASK.md.orange-tmp-99999999999-1", "x.orange-tmp-1-2",
        ] {
            #expect(TransientFileNames.parse(name) == nil, "\(name)")
        }
    }
}
