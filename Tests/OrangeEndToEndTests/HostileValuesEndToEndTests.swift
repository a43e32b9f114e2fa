import OrangeCore
import OrangeSystem
import OrangeTestSupport
import Testing

/// Text a terminal would act on: any control other than line break and tab, or a direction override.
func terminalControls(_ text: String) -> [String] {
    text.unicodeScalars.filter { $0 != "\n" && $0 != "\t" && TerminalSafe.isUnsafe($0) }.map { "U+" + String($0.value, radix: 16) }
}

/// Values chosen to escape the data folder, confuse git, reach a shell or drive the terminal,
/// through the real binary: each is refused with a clear message or kept as inert data.
@Suite(.serialized) struct HostileValuesEndToEndTests {
    static let pathTricks = ["../x", "../../etc/passwd", "a/b", "/abs", "..", ".", "a\nb", "x\u{1B}[2J", "$(touch pwned)", "a b", ""]

    @Test func idsAndProjectNamesThatCouldEscapeAreRefused() throws {
        let h = try OrangeHarness()
        let repo = try h.makeProject("coffee")
        let good = try #require(try h.task(["task", "create", "good", "fine", "--no-spawn"], in: repo)["id"]?.stringValue)
        for bad in Self.pathTricks {
            let attempts: [([String], String)] = [
                (["task", "show", bad], "not a valid task id"),
                (["task", "update", bad, "--description", "x"], "not a valid task id"),
                (["task", "create", "b1", "d", "--parent", bad, "--no-spawn"], "not a valid task id"),
                (["task", "create", "b2", "d", "--blocked-by", bad, "--no-spawn"], "--blocked-by: "),
                (["task", "update", good, "--blocked-by", bad], "--blocked-by: "),
                (["task", "update", good, "--unblock", bad], "--unblock: "),
                (["task", "create", "b3", "d", "--project", bad, "--no-spawn"], "project name"),
                (["task", "list", "--project", bad], "project name"),
                (["project", "add", repo, "--name", bad], "project name"),
                (["workspace", "release", bad], "workspace"),
            ]
            for (args, expected) in attempts {
                let result = try h.orange(args, in: repo)
                #expect(result.exitCode != 0, "\(args) was accepted")
                #expect(result.stderr.lowercased().contains(expected), "\(args): \(result.stderr)")
                #expect(
                    terminalControls(result.stderr + result.stdout).isEmpty, "\(args) printed controls: \(result.stderr.debugDescription)")
            }
        }
        // Nothing was created outside the one project folder and the one task.
        #expect(try FileSystem.listDirectory(h.home + "/tasks") == ["coffee"])
        #expect(try FileSystem.listDirectory(h.home + "/tasks/coffee") == [good])
        #expect(try FileSystem.listDirectory(h.directory.path).sorted() == ["coffee", "coffee-origin.git", "home"])
        #expect(try h.json(["project", "list"])["projects"]?.arrayValue?.count == 1)
    }

    @Test func hostileNamesOnDiskAreReportedWithoutDrivingTheTerminal() throws {
        let h = try OrangeHarness()
        let repo = try h.makeProject("coffee")
        let tasks = h.home + "/tasks"
        try FileSystem.makeDirectories(tasks + "/\u{1B}]0;owned\u{7}evil")
        try FileSystem.makeDirectories(tasks + "/coffee/x\u{1B}[2Jy")
        try FileSystem.makeDirectories(tasks + "/coffee/line\nbreak")
        // An id with a NUL, written as an escape in a double-quoted value.
        try FileSystem.makeDirectories(tasks + "/coffee/T1")
        try AtomicFile.write("---\nid: \"T1\\0\"\nproject: coffee\nstatus: pending\n---\n", to: tasks + "/coffee/T1/TASK.md")
        for args in [["task", "list"], ["task", "list", "--tree"], ["graph"], ["doctor"], ["task", "show", "T1"]] {
            let result = try h.orange(args, in: repo)
            #expect(terminalControls(result.stdout + result.stderr).isEmpty, "\(args): \((result.stdout + result.stderr).debugDescription)")
        }
        let doctor = try JSONValue.parse(try h.orange(["doctor", "--json"]).stdout)
        let kinds = (doctor["problems"]?.arrayValue ?? []).compactMap { $0["kind"]?.stringValue }
        #expect(kinds.sorted() == ["invalid_name", "invalid_name", "invalid_name", "invalid_task_file"], "\(doctor)")
        let human = try h.orange(["doctor"]).stdout
        #expect(human.contains("\\u{1b}]0;owned\\u{7}evil"), "names are shown, escaped: \(human)")
        #expect(human.contains("line\\u{a}break"), "one finding stays on one line: \(human)")
        #expect(human.split(separator: "\n").count == 5, "\(human)")
        let shown = try h.orange(["task", "show", "T1"])
        #expect(shown.exitCode == 1 && shown.stderr.contains("TASK.md:2: id: 'T1\\u{0}' is not a valid task id"), "\(shown.stderr)")
    }

    @Test func branchNamesGitOrAShellCouldMisreadAreRefused() throws {
        let h = try OrangeHarness()
        let repo = try h.makeProject("coffee")
        let id = try #require(try h.task(["task", "create", "ok-branch", "fine", "--no-spawn"], in: repo)["id"]?.stringValue)
        let bad = [
            "a..b", "-rf", "--force", "-", "my branch", " lead", "x\ny", "a~1", "a^", "a:b", "a?b", "a*b", "a[b", "a\\b",
            "refs/../x", ".hidden", "a/.b", "a.lock", "a/", "/a", "a//b", "a.", "@", "a@{b", "x\u{1B}[31m", "x\u{7F}",
        ]
        for branch in bad {
            let created = try h.orange(["task", "create", "--no-spawn", "--", branch, "desc"], in: repo)
            #expect(created.exitCode != 0, "create accepted branch \(branch.debugDescription)")
            #expect(created.stderr.contains("branch"), "\(branch.debugDescription): \(created.stderr)")
            let updated = try h.orange(["task", "update", id, "--branch", branch], in: repo)
            #expect(updated.exitCode != 0, "update accepted branch \(branch.debugDescription)")
            #expect(updated.stderr.contains("branch"), "\(branch.debugDescription): \(updated.stderr)")
            #expect(terminalControls(created.stderr + updated.stderr).isEmpty)
        }
        #expect(try h.task(["task", "show", id])["branch"] == "ok-branch")
        let branches = try h.runner.run(["git", "-C", repo, "branch", "--list", "--format=%(refname:short)"]).stdout
        #expect(branches == "main\n", "git never saw a branch: \(branches)")
        // A hand edit is caught by the reader, with its line, before git or tmux could see it.
        let path = h.home + "/tasks/coffee/\(id)/TASK.md"
        let text = try FileSystem.readText(path)
        try AtomicFile.write(text.replacing("branch: ok-branch\n", with: "branch: -rf\n"), to: path)
        let shown = try h.orange(["task", "show", id])
        #expect(shown.exitCode == 1 && shown.stderr.contains("TASK.md:4: branch: branch '-rf' must not start with '-'"), "\(shown.stderr)")
    }

    static let nastyDescription =
        "it's \"quoted\" $(touch PWNED1) `touch PWNED2` ${IFS} \u{1B}[31mred\u{1B}[0m \u{1B}]0;title\u{7} "
        + "\u{9B}2J bell\u{7} back\u{8}space \u{202E}reversed\u{202C} cr\rhere"

    @Test func textWithShellAndTerminalSyntaxIsStoredExactlyAndShownInert() throws {
        let h = try OrangeHarness()
        let repo = try h.makeProject("coffee")
        let context = "ctx $(touch PWNED3)\n\u{0}nul and \u{1B}[1mbold\n"
        let created = try h.task(
            ["task", "create", "nasty", Self.nastyDescription, "--context", "-", "--no-spawn"], in: repo, input: context)
        let id = try #require(created["id"]?.stringValue)
        #expect(created["description"]?.stringValue == Self.nastyDescription)
        let file = try FileSystem.readBytes(h.home + "/tasks/coffee/\(id)/TASK.md")
        let frontMatter = file.prefix(while: { $0 != 0 }).split(separator: UInt8(ascii: "\n")).prefix(16)
        #expect(frontMatter.allSatisfy { !$0.contains(0x1B) && !$0.contains(0x07) }, "the front matter holds escapes, not controls")
        #expect(file.suffix(context.utf8.count) == ArraySlice(context.utf8), "the body keeps every byte")
        #expect(try h.task(["task", "show", id])["description"]?.stringValue == Self.nastyDescription)
        _ = try h.json(["task", "update", id, "--description", Self.nastyDescription + "!", "--as", "human"])
        #expect(try h.task(["task", "show", id])["description"]?.stringValue == Self.nastyDescription + "!")
        for args in [
            ["task", "list"], ["task", "list", "--tree"], ["task", "show", id], ["task", "why", id], ["graph"],
            ["graph", "--format", "dot"], ["doctor"],
        ] {
            let result = try h.orange(args, in: repo)
            #expect(result.exitCode == 0, "\(args): \(result.stderr)")
            #expect(terminalControls(result.stdout + result.stderr).isEmpty, "\(args): \(result.stdout.debugDescription)")
        }
        let shown = try h.orange(["task", "show", id]).stdout
        #expect(shown.contains("\\u{1b}[31mred\\u{1b}[0m"), "controls are shown as escapes: \(shown)")
        #expect(shown.contains("$(touch PWNED1) `touch PWNED2`"))
        for pwned in ["PWNED1", "PWNED2", "PWNED3"] {
            #expect(!FileSystem.fileExists(repo + "/" + pwned) && !FileSystem.fileExists(h.directory.path + "/" + pwned))
        }
    }

    /// The same text through a real spawn: the agent gets it as one argument, and no shell runs it.
    @Test(.enabled(if: OrangeHarness.hasTmux, "needs tmux"))
    func aSpawnedAgentReceivesHostileTextAsData() throws {
        let h = try OrangeHarness(tmux: true)
        defer { h.killTmuxServer() }
        try FileSystem.makeDirectories(h.home)
        let out = h.directory.path + "/prompt.out"
        try AtomicFile.write(
            #"""
            #!/bin/sh
            printf '%s' "$1" > "$2.tmp" && mv "$2.tmp" "$2"
            orange task update --status reviewing
            """#, to: h.directory.path + "/agent.sh", mode: 0o755)
        try AtomicFile.write(
            #"{"harnesses": {"echo": {"command": ["sh", "\#(h.directory.path)/agent.sh", "{prompt}", "\#(out)"]}}}"#,
            to: h.home + "/config.json")
        let repo = try h.makeProject("coffee")
        let pwned = h.directory.path + "/PWNED4"
        let branch = "b$(touch${IFS}\(pwned))"
        let task = try #require(
            try h.task(["task", "create", branch, Self.nastyDescription, "--harness", "echo"], in: repo)["id"]?.stringValue)
        _ = try h.waitFor(task, "reviewing") { $0["status"] == "reviewing" }
        let prompt = try FileSystem.readText(out)
        #expect(prompt.contains("Task: " + Self.nastyDescription), "\(prompt.debugDescription)")
        #expect(prompt.contains("(branch \(branch))"))
        #expect(!FileSystem.fileExists(pwned))
        for name in ["PWNED1", "PWNED2"] {
            #expect(!FileSystem.fileExists(h.home + "/workspaces/coffee--1/" + name) && !FileSystem.fileExists(repo + "/" + name))
        }
    }
}
