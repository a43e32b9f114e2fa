import OrangeCore
import OrangeSystem
import OrangeTestSupport
import Testing

/// The CLI through the real binary, real files and real git (issue: foundation and graph).
@Suite(.serialized) struct TaskCommandsEndToEndTests {
    @Test func createListShowUpdateCancelDelete() throws {
        let h = try OrangeHarness()
        let repo = try h.makeProject("coffee")
        let created = try h.task(["task", "create", "login-fix", "Fix", "the", "login", "--no-spawn"], in: repo)
        let id = try #require(created["id"]?.stringValue)
        #expect(created["status"] == "pending")
        #expect(created["description"] == "Fix the login")
        #expect(created["branch"] == "login-fix")
        #expect(created["path"]?.stringValue == "\(h.home)/tasks/coffee/\(id)/TASK.md")

        let list = try h.tasks(["task", "list"], in: repo)
        #expect(list.arrayValue?.count == 1)
        let text = try h.orange(["task", "list"], in: repo)
        #expect(text.stdout.contains(id) && text.stdout.contains("login-fix"))

        let shown = try h.json(["task", "show", id])
        #expect(shown["task"]?["id"]?.stringValue == id)
        #expect(shown["history"]?.arrayValue?.first?["type"] == "task.created")

        let updated = try h.json(["task", "update", id, "--description", "Fix login for real"])
        #expect(updated["task"]?["description"] == "Fix login for real")

        // Delete refuses a live task; cancel, then delete.
        let refused = try h.orange(["task", "delete", id, "--yes"])
        #expect(refused.exitCode == 1 && refused.stderr.contains("cancel it first"))
        let cancelled = try h.task(["task", "cancel", id, "--yes"])
        #expect(cancelled["status"] == "cancelled")
        _ = try h.task(["task", "delete", id, "--yes"])
        #expect(!FileSystem.fileExists("\(h.home)/tasks/coffee/\(id)"))
    }

    @Test func versionInTextAndJSON() throws {
        let h = try OrangeHarness()
        let text = try h.orange(["--version"])
        #expect(text.exitCode == 0 && text.stdout == "orange \(OrangeCommands.version)\n")
        #expect(try h.json(["--version"])["version"]?.stringValue == OrangeCommands.version)
        #expect(try h.orange(["--help"]).stdout.contains("orange --version"))
        // Anything after it is not silently ignored.
        #expect(try h.orange(["--version", "extra"]).exitCode == 2)
    }

    @Test func errorsAreClearWithExitCodesAndJSON() throws {
        let h = try OrangeHarness()
        let repo = try h.makeProject("coffee")
        let usage = try h.orange(["task", "show"], in: repo)
        #expect(usage.exitCode == 2)
        #expect(usage.stderr.hasPrefix("error: missing argument <id>"))

        let missing = try h.orange(["task", "show", "nope", "--json"])
        #expect(missing.exitCode == 1)
        #expect(OrangeHarness.errorMessage(missing.stdout) == "task 'nope' not found; see 'orange task list --all'")

        let traversal = try h.orange(["task", "show", "../../etc"])
        #expect(traversal.exitCode == 1 && traversal.stderr.contains("not a valid task id"))

        let badBranch = try h.orange(["task", "create", "-x", "desc"], in: repo)
        #expect(badBranch.exitCode != 0)
        let spaced = try h.orange(["task", "create", "my branch", "desc", "--no-spawn"], in: repo)
        #expect(spaced.exitCode == 1 && spaced.stderr.contains("must not contain spaces"))

        let badProject = try h.orange(["project", "add", repo, "--name", "a--b"])
        #expect(badProject.exitCode == 1 && badProject.stderr.contains("must not contain '--'"))
        let outside = try h.orange(["task", "list", "--project", "ghost"])
        #expect(outside.exitCode == 1 && outside.stderr.contains("project 'ghost' is not registered"))
    }

    @Test func contextFromStandardInputAndFlagsAnywhere() throws {
        let h = try OrangeHarness()
        let repo = try h.makeProject("coffee")
        let task = try h.task(
            ["task", "create", "--no-spawn", "ctx-branch", "--context", "-", "use", "stdin"], in: repo,
            input: "line one\n$(not run) `nor this`\n")
        let id = try #require(task["id"]?.stringValue)
        let file = try FileSystem.readText("\(h.home)/tasks/coffee/\(id)/TASK.md")
        #expect(file.hasSuffix("---\n## Context\n\nline one\n$(not run) `nor this`\n"))
        #expect(task["description"] == "use stdin")
    }

    @Test func malformedTaskFileIsReportedAndNeverRewritten() throws {
        let h = try OrangeHarness()
        let repo = try h.makeProject("coffee")
        let good = try h.task(["task", "create", "good", "fine", "--no-spawn"], in: repo)
        let goodID = try #require(good["id"]?.stringValue)
        let badDir = "\(h.home)/tasks/coffee/Bad1"
        try FileSystem.makeDirectories(badDir)
        let bytes = "---\nid: Bad1\nproject: coffee\nstatus: pending\nmeta:\n  nested: map\n---\nbody\n"
        try AtomicFile.write(bytes, to: badDir + "/TASK.md")

        let list = try h.orange(["task", "list"], in: repo)
        #expect(list.exitCode == 0 && list.stdout.contains(goodID))
        #expect(list.stderr.contains("\(badDir)/TASK.md:6:"))
        for args in [
            ["task", "show", "Bad1"], ["task", "update", "Bad1", "--status", "working"], ["task", "cancel", "Bad1", "--yes"], ["graph"],
            ["task", "list", "--ready"],
        ] {
            let result = try h.orange(args, in: repo)
            let reportsOnly = args[0] == "graph" || args[1] == "list"
            if !reportsOnly {
                #expect(result.exitCode == 1, "\(args)")
                #expect(result.stderr.contains("TASK.md:6:"), "\(args): \(result.stderr)")
            }
            #expect(try FileSystem.readText(badDir + "/TASK.md") == bytes, "\(args) changed the file")
        }
    }

    @Test func unknownKeysAndBodySurviveUpdates() throws {
        let h = try OrangeHarness()
        let repo = try h.makeProject("coffee")
        let task = try h.task(["task", "create", "keep", "keep keys", "--no-spawn"], in: repo)
        let id = try #require(task["id"]?.stringValue)
        let path = try #require(task["path"]?.stringValue)
        var text = try FileSystem.readText(path)
        text = text.replacing("---\n", with: "---\nowner: 'ana'\nestimate: 3\n", maxReplacements: 1)
        text += "\n## Notes\n\nsome *markdown*  \n\n\n"
        try AtomicFile.write(text, to: path)
        _ = try h.json(["task", "update", id, "--description", "changed", "--as", "human"])
        let after = try FileSystem.readText(path)
        #expect(after.contains("owner: ana\n") || after.contains("owner: 'ana'\n"))
        #expect(after.contains("estimate: 3\n"))
        #expect(after.hasSuffix("\n## Notes\n\nsome *markdown*  \n\n\n"))
        #expect(after.contains("description: changed\n"))
    }
}
