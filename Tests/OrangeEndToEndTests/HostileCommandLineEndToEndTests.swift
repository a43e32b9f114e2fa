import OrangeCore
import OrangeSystem
import OrangeTestSupport
import Testing

/// Command-line inputs found by hostile testing: each refused or shown inert, nothing written.
@Suite struct HostileCommandLineEndToEndTests {
    @Test func branchesGitRefusesOrThatReadAsAnotherAreRefused() throws {
        let h = try OrangeHarness()
        let repo = try h.makeProject("coffee")
        let id = try #require(try h.task(["task", "create", "fine", "ok", "--no-spawn"], in: repo)["id"]?.stringValue)
        for branch in ["HEAD", "a\u{85}b", "main\u{200E}", "evil\u{202E}txt", "line\u{2028}break", "zero\u{200B}width"] {
            let created = try h.orange(["task", "create", branch, "desc", "--no-spawn"], in: repo)
            #expect(created.exitCode == 1, "\(branch.unicodeScalars.map(\.value)): \(created.stderr)")
            let renamed = try h.orange(["task", "update", id, "--branch", branch], in: repo)
            #expect(renamed.exitCode == 1, "\(branch.unicodeScalars.map(\.value)): \(renamed.stderr)")
        }
        #expect(try h.tasks(["task", "list"], in: repo).arrayValue?.count == 1)
        #expect(try h.task(["task", "show", id])["branch"]?.stringValue == "fine")
    }

    @Test func aTaskFolderNamedWithALineBreakIsShownEscaped() throws {
        let h = try OrangeHarness()
        let repo = try h.makeProject("coffee")
        let folder = "\(h.home)/tasks/coffee/Bad\nforged: line"
        try FileSystem.makeDirectories(folder)
        try AtomicFile.write("not a task\n", to: folder + "/TASK.md")
        for args in [["task", "list"], ["graph"]] {
            let result = try h.orange(args, in: repo)
            #expect(result.exitCode == 0, "\(args)")
            #expect(result.stderr.contains("Bad\\u{a}forged: line"), "\(args): \(result.stderr)")
            #expect(!result.stderr.contains("Bad\nforged"), "\(args): \(result.stderr)")
        }
    }

    @Test func doctorFailsWhenTheDataFolderIsAFile() throws {
        let h = try OrangeHarness()
        let file = h.directory.path + "/not-a-folder"
        try AtomicFile.write("x\n", to: file)
        let list = try h.orange(["task", "list", "--all"], extraEnvironment: ["ORANGE_HOME": file])
        #expect(list.exitCode == 1)
        let doctor = try h.orange(["doctor"], extraEnvironment: ["ORANGE_HOME": file])
        #expect(doctor.exitCode == 1, "\(doctor.stdout)")
        #expect(doctor.stderr.contains("is not a folder") && !doctor.stdout.contains("No problems"))
        let json = try h.orange(["doctor", "--json"], extraEnvironment: ["ORANGE_HOME": file])
        #expect(json.exitCode == 1 && OrangeHarness.errorMessage(json.stdout)?.contains("is not a folder") == true)
    }

    @Test func contextFromStandardInputThatIsNotUTF8IsRefused() throws {
        let h = try OrangeHarness()
        let repo = try h.makeProject("coffee")
        // A string cannot hold the bytes, so a shell pipes them: 'a', 0xFF, 'b'.
        let script = "printf 'a\\377b' | env -C \"$1\" \"$0\" task create raw desc --no-spawn --context -"
        let result = try h.runner.run(
            ["bash", "-c", script, OrangeHarness.binary, repo], environment: h.environment, input: nil, timeoutSeconds: 60)
        #expect(result.exitCode == 1, "\(result.stdout)")
        #expect(result.stderr.contains("not valid UTF-8 (byte 1)"), "\(result.stderr)")
        #expect(try h.tasks(["task", "list"], in: repo).arrayValue?.isEmpty == true)
    }

    @Test func unapproveOnlyTakesAReviewedTask() throws {
        let h = try OrangeHarness()
        let repo = try h.makeProject("coffee")
        let id = try #require(
            try h.task(["task", "create", "rev", "review me", "--no-spawn", "--status", "reviewing"], in: repo)["id"]?.stringValue)
        let path = "\(h.home)/tasks/coffee/\(id)/TASK.md"
        let before = try FileSystem.readText(path)
        let refused = try h.orange(["task", "unapprove", id])
        #expect(
            refused.exitCode == 1 && refused.stderr.contains("task \(id) is reviewing, not reviewed"), "\(refused.stdout) \(refused.stderr)"
        )
        #expect(try FileSystem.readText(path) == before)
        _ = try h.task(["task", "approve", id])
        #expect(try h.task(["task", "unapprove", id])["status"]?.stringValue == "reviewing")
    }
}
