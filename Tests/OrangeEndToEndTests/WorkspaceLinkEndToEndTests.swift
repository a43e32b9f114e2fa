import OrangeCore
import OrangeSystem
import OrangeTestSupport
import Testing

extension OrangeHarness {
    /// A task working in a real workspace, run by the sleepy agent; returns its id and workspace path.
    func taskWorkingInAWorkspace(_ repo: String, name: String = "ws-link") throws -> (id: String, workspace: String) {
        let id = try #require(
            try task(["task", "create", name, "edit me through the link", "--harness", "sleepy"], in: repo)["id"]?.stringValue)
        let shown = try waitFor(id, "working in a workspace") { $0["status"] == "working" && $0["workspace"]?.stringValue != nil }
        let workspace = home + "/workspaces/" + (try #require(shown["workspace"]?.stringValue))
        #expect(FileSystem.status(workspace + "/TASK.md")?.isSymbolicLink == true)
        return (id, workspace)
    }

    /// Runs a shell command with `cwd` as its working directory, as an agent in its workspace would.
    func shell(_ script: String, in cwd: String) throws {
        let result = try runner.run(
            ["sh", "-c", "cd \"$1\" && eval \"$2\"", "_", cwd, script], environment: environment, input: nil, timeoutSeconds: 30)
        #expect(result.exitCode == 0, "\(script): \(result.stderr)")
    }

    func isLink(_ workspace: String) -> Bool { FileSystem.status(workspace + "/TASK.md")?.isSymbolicLink == true }

    /// Waits (deadline, no fixed sleep) until `orange task show` (run outside the workspace, so it
    /// applies nothing itself) says `status` and the workspace's TASK.md is the link again.
    func waitUntilApplied(_ id: String, _ status: String, workspace: String) throws {
        _ = try waitFor(id, "\(status) with its workspace link back") { $0["status"]?.stringValue == status && isLink(workspace) }
    }

    /// The copies kept aside in the task's folder.
    func keptAside(_ id: String, project: String) -> [String] {
        ((try? FileSystem.listDirectory("\(home)/tasks/\(project)/\(id)")) ?? []).filter { $0.hasPrefix("TASK.md.rejected-") }.sorted()
    }
}

/// A save through a workspace's TASK.md by rename replaces the link with a plain file; the
/// engine, every command run in the workspace and `doctor --fix` apply it to the task and put
/// the link back (docs/runtime.md, "Workspaces").
@Suite(.serialized, .enabled(if: OrangeHarness.hasTmux, "needs tmux"))
struct WorkspaceLinkEndToEndTests {
    @Test func theEngineAppliesRenameOverSavesMadeInAWorkspace() throws {
        let h = try OrangeHarness(tmux: true)
        defer { h.killTmuxServer() }
        try h.installSleepyAgent()
        let repo = try h.makeProject("links")
        let pid = try h.startWatch(in: repo)
        defer { h.stopWatch(pid) }
        let (id, workspace) = try h.taskWorkingInAWorkspace(repo)

        try h.shell("sed -i 's/^status: working$/status: reviewing/' TASK.md", in: workspace)
        try h.waitUntilApplied(id, "reviewing", workspace: workspace)

        if FileSystem.findExecutable("python3", searchPath: ProcessEnvironment.current()["PATH"] ?? "") != nil {
            let script = h.directory.path + "/replace.py"
            try AtomicFile.write(
                """
                import os
                text = open('TASK.md').read().replace('status: reviewing\\n', 'status: working\\n')
                open('TASK.md.new', 'w').write(text)
                os.replace('TASK.md.new', 'TASK.md')
                """, to: script)
            try h.shell("python3 '\(script)'", in: workspace)
            try h.waitUntilApplied(id, "working", workspace: workspace)
        }

        let edited = h.directory.path + "/edited.md"
        try h.shell(
            "sed 's/^status: working$/status: reviewing/' TASK.md > '\(edited)' && cp --remove-destination '\(edited)' TASK.md",
            in: workspace)
        try h.waitUntilApplied(id, "reviewing", workspace: workspace)

        // A slow writer: the link removed, the new file created, written in two parts 0.3 s
        // apart, then closed. It is judged once closed, not half written when created.
        try h.shell(
            "sed 's/^status: reviewing$/status: working/' TASK.md > '\(edited)' && rm TASK.md && "
                + "{ head -c 20 '\(edited)'; sleep 0.3; tail -c +21 '\(edited)'; } > TASK.md", in: workspace)
        try h.waitUntilApplied(id, "working", workspace: workspace)
        // Through the link again: the task's own file holds the edit, and kept its workspace.
        let task = try FileSystem.readText("\(h.home)/tasks/links/\(id)/TASK.md")
        #expect(task.contains("status: working\n") && task.contains("workspace: links--1\n"))
        #expect(h.keptAside(id, project: "links").isEmpty)
        #expect(h.watchLog.contains("applied the save of links--1/TASK.md to its task (working → reviewing)"), "\(h.watchLog)")
    }

    @Test func theEngineKeepsAnInvalidSaveAsideReportsItOnceAndRestoresTheLink() throws {
        let h = try OrangeHarness(tmux: true)
        defer { h.killTmuxServer() }
        try h.installSleepyAgent()
        let repo = try h.makeProject("links")
        let pid = try h.startWatch(in: repo)
        defer { h.stopWatch(pid) }
        let (id, workspace) = try h.taskWorkingInAWorkspace(repo)

        try h.shell("sed -i 's/^status: working$/status: [oops/' TASK.md", in: workspace)
        let clock = SystemClock()
        let deadline = clock.monotonicNanoseconds() + 20_000_000_000
        while !(h.isLink(workspace) && h.keptAside(id, project: "links").count == 1) && clock.monotonicNanoseconds() < deadline {
            _ = try h.runner.run(["sleep", "0.05"])  // a poll interval
        }
        #expect(h.isLink(workspace))
        let kept = try #require(h.keptAside(id, project: "links").first)
        #expect(try FileSystem.readText("\(h.home)/tasks/links/\(id)/\(kept)").contains("status: [oops\n"))
        #expect(try h.status(id) == "working")
        // Two sweeps (2 s apart) later, still reported once.
        _ = try h.orange(["watch", "sync", "--timeout", "10"])
        let sweeps = clock.monotonicNanoseconds() + 4_500_000_000
        while clock.monotonicNanoseconds() < sweeps { _ = try h.runner.run(["sleep", "0.1"]) }
        let log = h.watchLog
        #expect(log.components("\(workspace)/TASK.md:6: ") == 1, "\(log)")
        #expect(log.components("not applied, kept as \(h.home)/tasks/links/\(id)/\(kept); the link is back") == 1, "\(log)")
        #expect(h.keptAside(id, project: "links").count == 1)
    }

    @Test func withoutAnEngineTheNextCommandInTheWorkspaceAppliesIt() throws {
        let h = try OrangeHarness(tmux: true)
        defer { h.killTmuxServer() }
        try h.installSleepyAgent()
        let repo = try h.makeProject("links")
        let (id, workspace) = try h.taskWorkingInAWorkspace(repo)

        try h.shell("sed -i 's/^status: working$/status: reviewing/' TASK.md", in: workspace)
        // Outside the workspace nothing applies it (and nothing else runs).
        #expect(try h.status(id) == "working")
        #expect(!h.isLink(workspace))
        let shown = try h.orange(["task", "show", id, "--json"], in: workspace)
        #expect(shown.exitCode == 0)
        #expect(try JSONValue.parse(shown.stdout)["task"]?["status"] == "reviewing")
        #expect(shown.stderr.contains("applied the save of \(workspace)/TASK.md to its task (working → reviewing)"), "\(shown.stderr)")
        #expect(h.isLink(workspace))
        #expect(try h.status(id) == "reviewing")
        let history = try h.json(["task", "show", id])["history"]?.arrayValue ?? []
        #expect(history.contains { $0["to"] == "reviewing" && $0["cause"] == "saved through the workspace's TASK.md" })
    }

    @Test func doctorReportsADetachedLinkAndFixRepairsIt() throws {
        let h = try OrangeHarness(tmux: true)
        defer { h.killTmuxServer() }
        try h.installSleepyAgent()
        let repo = try h.makeProject("links")
        let (id, workspace) = try h.taskWorkingInAWorkspace(repo)
        #expect(try h.orange(["doctor"]).exitCode == 0)

        try h.shell("sed -i 's/^status: working$/status: reviewing/' TASK.md", in: workspace)
        let report = try h.orange(["doctor"])
        #expect(report.exitCode == 1)
        #expect(report.stdout.contains("\(workspace)/TASK.md: detached TASK.md link"), "\(report.stdout)")
        #expect(try h.status(id) == "working")

        let fixed = try h.orange(["doctor", "--fix"])
        #expect(fixed.exitCode == 0, "\(fixed.stdout)\(fixed.stderr)")
        #expect(fixed.stdout.contains("applied to task \(id) (working → reviewing)"), "\(fixed.stdout)")
        #expect(h.isLink(workspace))
        #expect(try h.status(id) == "reviewing")
    }

    @Test func aSaveTheTaskCanNoLongerTakeIsKeptAsideWhenTheWorkspaceIsReleased() throws {
        let h = try OrangeHarness(tmux: true)
        defer { h.killTmuxServer() }
        try h.installSleepyAgent()
        let repo = try h.makeProject("links")
        let (id, workspace) = try h.taskWorkingInAWorkspace(repo)

        try h.shell("sed -i 's/^status: working$/status: reviewing/' TASK.md", in: workspace)
        // Cancelled from outside: the copy says working → reviewing on a task now cancelled.
        let cancel = try h.orange(["task", "cancel", id, "--yes"])
        #expect(cancel.exitCode == 0, "\(cancel.stderr)")
        #expect(try h.status(id) == "cancelled")
        #expect(FileSystem.status(workspace + "/TASK.md") == nil)
        let kept = try #require(h.keptAside(id, project: "links").first)
        #expect(try FileSystem.readText("\(h.home)/tasks/links/\(id)/\(kept)").contains("status: reviewing\n"))
        #expect(try h.orange(["doctor"]).exitCode == 0)
    }

    @Test func aSaveTheTaskCanTakeIsAppliedWhenTheWorkspaceIsReleased() throws {
        let h = try OrangeHarness(tmux: true)
        defer { h.killTmuxServer() }
        try h.installSleepyAgent()
        let repo = try h.makeProject("links")
        let (id, workspace) = try h.taskWorkingInAWorkspace(repo)

        try h.shell("sed -i '$ a Notes the agent saved by rename.' TASK.md", in: workspace)
        let release = try h.orange(["workspace", "release", "links--1", "--force"])
        #expect(release.exitCode == 0, "\(release.stderr)")
        #expect(FileSystem.status(workspace + "/TASK.md") == nil)
        #expect(try FileSystem.readText("\(h.home)/tasks/links/\(id)/TASK.md").contains("Notes the agent saved by rename.\n"))
        #expect(h.keptAside(id, project: "links").isEmpty)
    }
}

extension String {
    fileprivate func components(_ separator: String) -> Int {
        var count = 0
        var rest = self[...]
        while let range = rest.firstRange(of: separator) {
            count += 1
            rest = rest[range.upperBound...]
        }
        return count
    }
}
