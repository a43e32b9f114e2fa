import OrangeCore
import OrangeSystem
import OrangeTestSupport
import Testing

/// `orange doctor` through the binary, on a data folder damaged in every way it checks.
@Suite(.serialized) struct DoctorEndToEndTests {
    /// Above any Linux pid_max (2^22), so no process can have it.
    static let deadPID = 99_999_999

    /// `kind relative/path[:line]` for each finding of a `--json` list.
    func summary(_ findings: JSONValue?, home: String) -> [String] {
        (findings?.arrayValue ?? []).map { finding in
            let path = finding["path"]?.stringValue ?? "?"
            let relative = path.hasPrefix(home + "/") ? String(path.dropFirst(home.count + 1)) : path
            return "\(finding["kind"]?.stringValue ?? "?") \(relative)" + (finding["line"]?.intValue.map { ":\($0)" } ?? "")
        }
    }

    @Test func aCleanDataFolderPassesAndAnEmptyOneToo() throws {
        let h = try OrangeHarness()
        let empty = try h.orange(["doctor"])
        #expect(empty.exitCode == 0 && empty.stdout == "No problems found in \(h.home).\n", "\(empty.stdout) \(empty.stderr)")
        let repo = try h.makeProject("coffee")
        let parent = try #require(try h.task(["task", "create", "p", "parent", "--no-spawn"], in: repo)["id"]?.stringValue)
        _ = try h.task(["task", "create", "c", "child", "--parent", parent, "--no-spawn"], in: repo)
        _ = try h.json(["workspace", "init"], in: repo)
        let report = try h.orange(["doctor", "--json"])
        #expect(report.exitCode == 0, "\(report.stdout)")
        #expect(try JSONValue.parse(report.stdout)["clean"] == true)
    }

    @Test func aMessyDataFolderIsReportedExactlyAndOnlySafeRepairsAreMade() throws {
        let h = try OrangeHarness()
        let repo = try h.makeProject("coffee")
        func create(_ args: String...) throws -> String {
            try #require(try h.task(["task", "create"] + args + ["--no-spawn"], in: repo)["id"]?.stringValue)
        }
        let a = try create("a", "plain task")
        let parent = try create("p", "parent")
        let child = try create("c", "child", "--parent", parent)
        let x = try create("x", "on a cycle")
        let y = try create("y", "on a cycle too", "--blocked-by", x)
        let m = try create("m", "waits for a deleted task")
        _ = try h.json(["workspace", "init"], in: repo)  // two real worktrees, coffee--1 and coffee--2

        // From here on, only direct edits: any orange write would reconcile (and repair links).
        let store = FileTaskStore(layout: DataDirectory(home: h.home))
        let coffee = ProjectName(validating: "coffee")!
        func edit(_ id: String, _ change: (inout TaskRecord) -> Void) throws {
            try store.update(TaskID(validating: id)!, in: coffee) { change(&$0) }
        }
        try edit(parent) { $0.children = [] }  // link on one side only
        try edit(x) { $0.blockedBy = [TaskID(validating: y)!] }  // x ⇄ y
        try edit(m) { $0.blockedBy = [TaskID(validating: "Gone2")!] }  // a blocker that does not exist
        let tasks = h.home + "/tasks"
        let malformed = "---\nid: Bad1\nproject: coffee\nstatus: pending\nmeta:\n  nested: map\n---\nbody kept\n"
        try FileSystem.makeDirectories(tasks + "/coffee/Bad1")
        try AtomicFile.write(malformed, to: tasks + "/coffee/Bad1/TASK.md")
        try FileSystem.makeDirectories(tasks + "/coffee/Empty1")  // a folder without TASK.md
        try AtomicFile.write("notes\n", to: tasks + "/coffee/notes.txt")  // garbage
        try AtomicFile.write("x\n", to: tasks + "/stray.txt")
        try FileSystem.makeDirectories(tasks + "/not a project")
        try FileSystem.createSymbolicLink(at: tasks + "/coffee/Link1", pointingTo: h.directory.path + "/nowhere")
        try FileSystem.createSymbolicLink(at: tasks + "/coffee/\(a)/attachment", pointingTo: h.directory.path + "/gone")
        let original = try FileSystem.readText(tasks + "/coffee/\(a)/TASK.md")
        try FileSystem.makeDirectories(tasks + "/coffee/Copy1")  // a copied folder: id does not match
        try AtomicFile.write(original, to: tasks + "/coffee/Copy1/TASK.md")
        try FileSystem.makeDirectories(tasks + "/tea/\(a)")  // the same id in a second project
        try AtomicFile.write(original, to: tasks + "/tea/\(a)/TASK.md")
        // Leftovers of processes that died: an atomic write, a delete, a spawn.
        let temporary = tasks + "/coffee/\(a)/.TASK.md.orange-tmp-\(Self.deadPID)-0"
        try AtomicFile.write("half a file", to: temporary)
        let trash = tasks + "/coffee/.orange-deleted-Old1-\(Self.deadPID)-0"
        try FileSystem.makeDirectories(trash)
        try AtomicFile.write("old\n", to: trash + "/TASK.md")
        try FileSystem.createEmptyFile(tasks + "/coffee/\(child)/.spawning")
        // The pool: coffee--1 bound to a task that is gone, coffee--2 to the malformed one.
        try AtomicFile.write(
            #"""
            {"workspaces": {"coffee--1": {"status": "bound", "task": "Gone1"}, "coffee--2": {"status": "bound", "task": "Bad1"}}}
            """#, to: h.home + "/workspaces/.pool.json")

        let first = try h.orange(["doctor", "--json"])
        #expect(first.exitCode == 1)
        let report = try JSONValue.parse(first.stdout)
        let unfixable = [
            "duplicate_id tasks/coffee/\(a)",
            "broken_symlink tasks/coffee/\(a)/attachment",
            "invalid_task_file tasks/coffee/Bad1/TASK.md:6",
            "invalid_task_file tasks/coffee/Copy1/TASK.md:2",
            "missing_task_file tasks/coffee/Empty1",
            "broken_symlink tasks/coffee/Link1",
            "missing_blocker tasks/coffee/\(m)/TASK.md:9",
            "unexpected_entry tasks/coffee/notes.txt",
            "cycle tasks/coffee/\(min(x, y))/TASK.md",
            "invalid_name tasks/not a project",
            "unexpected_entry tasks/stray.txt",
            "duplicate_id tasks/tea/\(a)",
            "invalid_task_file tasks/tea/\(a)/TASK.md:3",
        ]
        let fixable = [
            "stale_deleted_folder tasks/coffee/.orange-deleted-Old1-\(Self.deadPID)-0",
            "stale_temporary_file tasks/coffee/\(a)/.TASK.md.orange-tmp-\(Self.deadPID)-0",
            "stale_spawn_marker tasks/coffee/\(child)/.spawning",
            "one_sided_link tasks/coffee/\(parent)/TASK.md:10",
            "pool_task_missing workspaces/.pool.json",
        ]
        #expect(Set(summary(report["problems"], home: h.home)) == Set(unfixable + fixable))
        #expect(summary(report["problems"], home: h.home).count == unfixable.count + fixable.count)
        let problems = report["problems"]?.arrayValue ?? []
        #expect(problems.allSatisfy { !($0["reason"]?.stringValue ?? "").isEmpty })
        #expect(problems.filter { $0["fix"] != .null }.count == fixable.count)
        let human = try h.orange(["doctor"])
        #expect(human.exitCode == 1)
        #expect(
            human.stdout.contains("\(tasks)/coffee/Bad1/TASK.md:6: nested maps are not supported in TASK.md front matter (key 'meta')\n"))
        #expect(
            human.stdout.contains("\(tasks)/coffee/Link1: broken symbolic link (to \(h.directory.path)/nowhere, which does not exist)\n"))
        #expect(human.stdout.hasSuffix("18 problems in \(h.home); 5 can be repaired with 'orange doctor --fix'.\n"), "\(human.stdout)")

        let fixed = try h.orange(["doctor", "--fix", "--json"])
        #expect(fixed.exitCode == 1, "what cannot be repaired safely is still there")
        let after = try JSONValue.parse(fixed.stdout)
        #expect(Set(summary(after["fixed"], home: h.home)) == Set(fixable), "\(fixed.stdout)")
        #expect(after["fix_failed"]?.arrayValue?.isEmpty == true, "\(fixed.stdout)")
        #expect(Set(summary(after["problems"], home: h.home)) == Set(unfixable))
        // The repairs themselves.
        #expect(try FileSystem.readText(tasks + "/coffee/Bad1/TASK.md") == malformed, "a malformed file is never touched")
        #expect(!FileSystem.fileExists(temporary) && !FileSystem.fileExists(trash))
        #expect(!FileSystem.fileExists(tasks + "/coffee/\(child)/.spawning"))
        let shownChild = try h.task(["task", "show", child])
        #expect(shownChild["status"] == "pending" && shownChild["last_error"]?.stringValue?.contains("interrupted") == true)
        #expect(try h.task(["task", "show", parent])["children"]?.arrayValue?.compactMap(\.stringValue) == [child])
        let pool = try h.json(["workspace", "list"], in: repo)["workspaces"]?.arrayValue ?? []
        #expect(pool.first { $0["name"] == "coffee--1" }?["status"] == "available")
        #expect(pool.first { $0["name"] == "coffee--2" }?["task_id"] == "Bad1", "a task that cannot be read still owns its workspace")

        // Nothing more to repair: a second run changes nothing and reports the same problems.
        let again = try JSONValue.parse(try h.orange(["doctor", "--fix", "--json"]).stdout)
        #expect(again["fixed"]?.arrayValue?.isEmpty == true)
        #expect(Set(summary(again["problems"], home: h.home)) == Set(unfixable))
        #expect(try FileSystem.readText(tasks + "/coffee/Bad1/TASK.md") == malformed)
    }

    @Test func corruptRegistriesAreReportedAndLeftAlone() throws {
        let h = try OrangeHarness()
        try FileSystem.makeDirectories(h.home + "/workspaces")
        let projects = "[{\"name\": \"coffee\", \"path\": \"/nonexistent/coffee\"},"
        let config = "{\"harnesses\": {\"x\": {\"command\": []}}}\n"
        let pool = "{\"workspaces\": 3}\n"
        try AtomicFile.write(projects, to: h.home + "/projects.json")
        try AtomicFile.write(config, to: h.home + "/config.json")
        try AtomicFile.write(pool, to: h.home + "/workspaces/.pool.json")
        let result = try h.orange(["doctor", "--fix", "--json"])
        #expect(result.exitCode == 1)
        let report = try JSONValue.parse(result.stdout)
        #expect(
            summary(report["problems"], home: h.home) == [
                "corrupt_config config.json", "corrupt_projects projects.json", "corrupt_pool workspaces/.pool.json",
            ])
        #expect(try FileSystem.readText(h.home + "/projects.json") == projects)
        #expect(try FileSystem.readText(h.home + "/config.json") == config)
        #expect(try FileSystem.readText(h.home + "/workspaces/.pool.json") == pool)
    }
}
