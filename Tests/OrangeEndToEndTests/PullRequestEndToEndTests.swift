import OrangeCore
import OrangeSystem
import Testing

/// Pull requests end to end: the built binary, real git with a bare origin, and a scripted `gh`
/// (ScriptedGitHub) standing in for the forge.
@Suite(.serialized)
struct PullRequestEndToEndTests {
    @Test func taskPrPushesTheBranchOpensThePullRequestAndRecordsIt() throws {
        let h = try OrangeHarness()
        let gh = try ScriptedGitHub(h)
        let repo = try h.makeProject("coffee")
        try FileSystem.makeDirectories(repo + "/.github")
        try AtomicFile.write("## Checklist\n- [ ] tests pass\n", to: repo + "/.github/pull_request_template.md")
        let id = try h.reviewingTask("oauth-db", "Add the OAuth schema", in: repo)
        // A key of the user's own must survive the write of pr_url.
        let file = h.home + "/tasks/coffee/\(id)/TASK.md"
        try AtomicFile.write(
            try FileSystem.readText(file).replacing("status: reviewing", with: "status: reviewing\nmy_key: kept"), to: file)

        let opened = try h.json(["task", "pr", id], in: repo, gh: gh)
        #expect(opened["url"] == .string(ScriptedGitHub.url))
        #expect(opened["created"] == true && opened["base"] == "main")
        #expect(opened["task"]?["pr_url"] == .string(ScriptedGitHub.url))
        let create = try #require(gh.calls.first)
        #expect(
            create.argv == [
                "pr", "create", "--head", "oauth-db", "--base", "main", "--title", "Add the OAuth schema", "--body-file", "-",
            ])
        let realRepo = try h.runner.check(["realpath", repo]).stdout.trimmingSpaces()
        #expect(create.directory == realRepo)
        let body = try #require(gh.body)
        #expect(body.contains("Add the OAuth schema") && body.contains("- [ ] tests pass") && body.contains("task \(id)"))
        // Pushed to origin before gh was asked.
        let remote = try h.runner.check(["git", "-C", h.directory.path + "/coffee-origin.git", "branch", "--list", "oauth-db"]).stdout
        #expect(remote.contains("oauth-db"))
        let text = try FileSystem.readText(file)
        #expect(text.contains("pr_url: ") && text.contains("my_key: kept"))
        let shown = try h.json(["task", "show", id])
        let history = shown["history"]?.arrayValue ?? []
        let created = try #require(history.first { $0["type"] == "pr.created" })
        #expect(created["url"] == .string(ScriptedGitHub.url) && created["base"] == "main")
        #expect(try h.orange(["task", "list"], in: repo).stdout.contains("oauth-db  PR"))

        // Again: the PR it has is named, gh is not asked twice; create-pr is the same command.
        let again = try h.json(["task", "create-pr", id], in: repo, gh: gh)
        #expect(again["created"] == false && again["url"] == .string(ScriptedGitHub.url))
        #expect(gh.calls.count == 1)
    }

    @Test func aSubTaskOfAHierarchicalParentOpensItsPullRequestIntoTheParentsBranch() throws {
        let h = try OrangeHarness()
        let gh = try ScriptedGitHub(h)
        let repo = try h.makeProject("coffee")
        let parent = try #require(
            try h.task(["task", "create", "release-notes", "Write release notes", "--branches", "hierarchical", "--hold"], in: repo)[
                "id"]?.stringValue)
        try h.commitOnBranch("notes-intro", in: repo)
        let child = try #require(
            try h.task(["task", "create", "notes-intro", "Intro", "--parent", parent, "--status", "reviewing"], in: repo)["id"]?
                .stringValue)
        let opened = try h.json(["task", "pr", child], in: repo, gh: gh)
        #expect(opened["base"] == "release-notes")
        #expect(gh.calls.first?.argv.prefix(6) == ["pr", "create", "--head", "notes-intro", "--base", "release-notes"])
        // The base exists on origin for the PR to target.
        let remote = try h.runner.check(["git", "-C", h.directory.path + "/coffee-origin.git", "branch", "--list"]).stdout
        #expect(remote.contains("release-notes") && remote.contains("notes-intro"), "\(remote)")
    }

    @Test func anAggregateBranchAheadOnOriginIsNotPushedOver() throws {
        let h = try OrangeHarness()
        let gh = try ScriptedGitHub(h)
        let repo = try h.makeProject("coffee")
        // The parent's branch on origin holds more than the local one (its children merged there).
        try h.commitOnBranch("release-notes", in: repo)
        try h.runner.check(["git", "-C", repo, "push", "-q", "origin", "release-notes"], environment: h.environment)
        try h.runner.check(["git", "-C", repo, "checkout", "-q", "-b", "child-merge", "release-notes"], environment: h.environment)
        try h.runner.check(["git", "-C", repo, "commit", "-q", "--allow-empty", "-m", "a child's merge"], environment: h.environment)
        try h.runner.check(["git", "-C", repo, "push", "-q", "origin", "child-merge:release-notes"], environment: h.environment)
        try h.runner.check(["git", "-C", repo, "checkout", "-q", "main"], environment: h.environment)
        let id = try #require(
            try h.task(["task", "create", "release-notes", "Write release notes", "--status", "reviewing"], in: repo)["id"]?.stringValue)
        let opened = try h.json(["task", "pr", id], in: repo, gh: gh)
        #expect(opened["created"] == true)
        let originLog = try h.runner.check(["git", "-C", h.directory.path + "/coffee-origin.git", "log", "--format=%s", "release-notes"])
            .stdout
        #expect(originLog.contains("a child's merge"))
    }

    @Test func taskPrSaysClearlyWhenGhIsMissingFailsOrTheTaskIsNotInReview() throws {
        let h = try OrangeHarness()
        let gh = try ScriptedGitHub(h)
        let repo = try h.makeProject("coffee")
        let id = try h.reviewingTask("oauth-db", "schema", in: repo)

        gh.fail("create", "pull request create failed: GraphQL: No commits between main and oauth-db (createPullRequest)\n")
        let failed = try h.orange(["task", "pr", id], in: repo, gh: gh)
        #expect(failed.exitCode == 1)
        #expect(
            failed.stderr.contains("gh pr create") && failed.stderr.contains("No commits between main and oauth-db"), "\(failed.stderr)")
        #expect(try h.task(["task", "show", id])["pr_url"] == .null)

        // No gh on PATH: only git and env are there.
        let bare = h.directory.path + "/bare-bin"
        try FileSystem.makeDirectories(bare)
        for tool in ["git", "env"] {
            let found = try #require(FileSystem.findExecutable(tool, searchPath: ProcessEnvironment.current()["PATH"] ?? ""))
            try h.runner.check(["ln", "-s", found, bare + "/" + tool])
        }
        let missing = try h.orange(["task", "pr", id, "--json"], in: repo, extraEnvironment: ["PATH": bare])
        #expect(missing.exitCode == 1)
        #expect(
            OrangeHarness.errorMessage(missing.stdout)?.contains("gh (GitHub's command-line client) is not installed") == true,
            "\(missing.stdout)")

        let pending = try #require(try h.task(["task", "create", "later", "not yet", "--hold"], in: repo)["id"]?.stringValue)
        let refused = try h.orange(["task", "pr", pending], in: repo, gh: gh)
        #expect(refused.exitCode == 1 && refused.stderr.contains("a pull request is opened for a task in review"))
    }

    @Test func mergeThroughThePullRequestUsesTheProjectsStrategy() throws {
        let h = try OrangeHarness()
        let gh = try ScriptedGitHub(h)
        let repo = try h.makeProject("coffee")
        let updated = try h.json(["project", "update", "coffee", "--merge-via", "pr", "--pr-merge", "squash"])["project"]
        #expect(updated?["merge_via"] == "pr" && updated?["pr_merge"] == "squash", "\(updated ?? .null)")
        #expect(try h.orange(["project", "update", "coffee", "--merge-via", "fax"]).exitCode != 0)
        #expect(try h.orange(["project", "list"]).stdout.contains("merge via pr (squash)"))
        let id = try h.reviewingTask("oauth-db", "schema", in: repo)
        _ = try h.json(["task", "approve", id])
        gh.answer(state: "MERGED", review: "APPROVED")

        let merged = try h.json(["task", "merge", id], in: repo, gh: gh)
        #expect(merged["merged"] == true && merged["strategy"] == "squash")
        #expect(merged["url"] == .string(ScriptedGitHub.url) && merged["into"] == "main" && merged["commit"] == .null)
        #expect(merged["task"]?["status"] == "done")
        #expect(merged["task"]?["pr_state"] == "MERGED")
        // No PR yet: opened first, then merged with the strategy's flag, then confirmed.
        #expect(gh.calls.map { Array($0.argv.prefix(2)) } == [["pr", "create"], ["pr", "merge"], ["pr", "view"]])
        #expect(gh.calls[1].argv == ["pr", "merge", ScriptedGitHub.url, "--squash"])
        #expect(gh.calls[2].argv == ["pr", "view", ScriptedGitHub.url, "--json", "state,reviewDecision,statusCheckRollup,mergedAt,url"])
        let history = try h.json(["task", "show", id])["history"]?.arrayValue ?? []
        #expect(history.contains { $0["type"] == "pr.merged" && $0["strategy"] == "squash" })
        #expect(history.contains { $0["type"] == "status.changed" && $0["to"] == "done" })
        // Merged on the forge before orange asked: gh refuses the merge, the task is finished.
        let other = try h.reviewingTask("oauth-api", "endpoints", in: repo)
        _ = try h.json(["task", "approve", other])
        gh.fail("merge", "GraphQL: Pull Request is already merged (mergePullRequest)\n")
        #expect(try h.json(["task", "merge", other], in: repo, gh: gh)["task"]?["status"] == "done")
        // A refused merge of an open PR is an error with gh's reason, and the task stays reviewed.
        let third = try h.reviewingTask("oauth-ui", "button", in: repo)
        _ = try h.json(["task", "approve", third])
        gh.answer(state: "OPEN", checks: "FAILURE")
        gh.fail("merge", "X Pull request #8 is not mergeable: the base branch policy prohibits the merge.\n")
        let refused = try h.orange(["task", "merge", third], in: repo, gh: gh)
        #expect(refused.exitCode == 1 && refused.stderr.contains("base branch policy prohibits the merge"), "\(refused.stderr)")
        #expect(try h.task(["task", "show", third])["status"] == "reviewed")
        // Nothing was pushed to origin's main by orange itself.
        let originLog = try h.runner.check(["git", "-C", h.directory.path + "/coffee-origin.git", "log", "--format=%s", "main"]).stdout
        #expect(!originLog.contains("work on oauth-db"))
    }

    @Test func theEngineCancelsATaskWhosePullRequestWasClosed() throws {
        let h = try OrangeHarness()
        let gh = try ScriptedGitHub(h)
        let repo = try h.makeProject("coffee")
        let id = try h.reviewingTask("oauth-db", "schema", in: repo)
        _ = try h.json(["task", "pr", id], in: repo, gh: gh)
        gh.answer(state: "OPEN", review: "CHANGES_REQUESTED", checks: "FAILURE")
        let pid = try h.startWatch(in: repo, gh: gh, arguments: ["--pr-interval", "0.2"])
        defer { h.stopWatch(pid) }
        // Open: only what is shown changes.
        try h.waitUntil("the PR state recorded") { try h.task(["task", "show", id])["pr_checks"] == "fail" }
        let shown = try h.orange(["task", "show", id]).stdout
        #expect(shown.contains("(open ✗ changes)"), "\(shown)")
        #expect(try h.task(["task", "show", id])["status"] == "reviewing")

        gh.answer(state: "CLOSED")
        try h.waitUntil("the task cancelled") { try h.task(["task", "show", id])["status"] == "cancelled" }
        let history = try h.json(["task", "show", id])["history"]?.arrayValue ?? []
        let closed = try #require(history.first { $0["type"] == "pr.closed" })
        #expect(closed["reason"]?.stringValue?.contains("closed without merging") == true)
        #expect(history.contains { $0["type"] == "status.changed" && $0["to"] == "cancelled" && $0["by"] == "engine" })
        #expect(gh.calls.contains { $0.argv.prefix(3) == ["pr", "view", ScriptedGitHub.url] })
    }

    @Test func aFailingGhIsAskedLessAndLessOften() throws {
        let h = try OrangeHarness()
        let gh = try ScriptedGitHub(h)
        let repo = try h.makeProject("coffee")
        let id = try h.reviewingTask("oauth-db", "schema", in: repo)
        _ = try h.json(["task", "pr", id], in: repo, gh: gh)
        gh.fail("view", "HTTP 502: Bad Gateway (https://api.github.com/graphql)\n")
        let pid = try h.startWatch(in: repo, gh: gh, arguments: ["--pr-interval", "0.2"])
        defer { h.stopWatch(pid) }
        func views() -> [ScriptedGitHub.Call] { gh.calls.filter { $0.argv.prefix(2) == ["pr", "view"] } }
        h.waitUntil(timeout: 40, "four failed looks") { views().count >= 4 }
        let times = views().map(\.time)
        // 0.2 s interval: after each failure the wait doubles (0.4, 0.8, 1.6 s), never a tight loop.
        for (index, minimum) in [0.35, 0.75, 1.5].enumerated() where times.count > index + 1 {
            #expect(times[index + 1] - times[index] >= minimum, "\(times)")
        }
        // Said once on the engine's output, not at every failure.
        #expect(h.watchLog.split(separator: "\n").filter { $0.contains("could not ask gh") }.count == 1, "\(h.watchLog)")
        #expect(try h.task(["task", "show", id])["status"] == "reviewing")

        // gh works again: the state is recorded at the next look.
        gh.fail("view", nil)
        gh.answer(state: "OPEN", review: "APPROVED")
        try h.waitUntil(timeout: 40, "the PR state recorded") { try h.task(["task", "show", id])["pr_review"] == "APPROVED" }
    }
}

/// The engine finishing a task on the forge's merge and starting its dependent needs agents.
@Suite(.serialized, .enabled(if: OrangeHarness.hasTmux, "needs tmux"))
struct PullRequestEngineEndToEndTests {
    @Test func aPullRequestMergedOnTheForgeFinishesTheTaskAndStartsItsDependent() throws {
        let h = try OrangeHarness(tmux: true)
        defer { h.killTmuxServer() }
        try h.installScriptedAgent()
        let gh = try ScriptedGitHub(h)
        let repo = try h.makeProject("oauth", poolSize: 2)
        let db = try #require(try h.task(["task", "create", "oauth-db", "schema", "--harness", "script"], in: repo)["id"]?.stringValue)
        let api = try #require(
            try h.task(["task", "create", "oauth-api", "endpoints", "--harness", "script", "--blocked-by", db], in: repo)["id"]?.stringValue
        )
        _ = try h.waitFor(db, "reviewing") { $0["status"] == "reviewing" }
        _ = try h.json(["task", "pr", db], in: repo, gh: gh)
        #expect(try h.status(api) == "pending")

        gh.answer(state: "MERGED", review: "APPROVED")
        let pid = try h.startWatch(in: repo, gh: gh, arguments: ["--pr-interval", "0.2", "--json"])
        defer { h.stopWatch(pid) }
        let done = try h.waitFor(db, "done") { $0["status"] == "done" }
        // The engine's line for it is a documented `engine` event line (docs/json.md).
        let document = JSONContractDocument(text: try FileSystem.readText(JSONContractDocument.path))
        let lines = h.watchLog.split(separator: "\n").compactMap { try? JSONValue.parse(String($0)) }
        let finished = try #require(lines.first { $0["event"] == "engine" && $0["cause"] == "pull request merged" }, "\(h.watchLog)")
        #expect(finished["id"]?.stringValue == db && finished["to"] == "done", "\(finished)")
        let outcome = document.match(finished, among: document.lines["watch"] ?? [])
        #expect(outcome.problems.isEmpty, "\(finished.rendered()) differs from docs/json.md: \(outcome.problems)")
        #expect(done["pr_state"] == "MERGED")
        let history = try h.json(["task", "show", db])["history"]?.arrayValue ?? []
        #expect(history.contains { $0["type"] == "pr.merged" && $0["url"] == .string(ScriptedGitHub.url) })
        #expect(
            history.contains { $0["type"] == "status.changed" && $0["from"] == "reviewing" && $0["to"] == "done" && $0["by"] == "engine" })
        // The normal reconcile: the workspace is freed and the dependent starts.
        _ = try h.waitFor(api, "started") { $0["status"] != "pending" }
        _ = try h.waitFor(db, "released") { $0["workspace"] == .null && $0["tmux_session"] == .null }
    }
}

/// The installed gh (found before any test puts a scripted one on PATH), if any.
let installedGh = FileSystem.findExecutable("gh", searchPath: ProcessEnvironment.current()["PATH"] ?? "")

/// The real gh, when installed (Debian's `gh` package): every flag orange passed to the scripted
/// gh must be one the installed gh documents for that subcommand, and every JSON field orange asks
/// `gh pr view` for must be one it offers. Nothing here reaches a forge.
@Suite(.serialized, .enabled(if: installedGh != nil, "gh is not installed"))
struct GhFlagsEndToEndTests {

    @Test func theFlagsOrangePassesAreTheInstalledGhs() throws {
        let h = try OrangeHarness()
        let gh = try ScriptedGitHub(h)
        let repo = try h.makeProject("coffee")
        _ = try h.json(["project", "update", "coffee", "--merge-via", "pr", "--pr-merge", "rebase"])
        let id = try h.reviewingTask("oauth-db", "schema", in: repo)
        _ = try h.json(["task", "approve", id])
        gh.answer(state: "MERGED")
        _ = try h.json(["task", "merge", id], in: repo, gh: gh)
        let calls = gh.calls
        #expect(calls.count == 3)

        let real = try #require(installedGh)
        let home = h.directory.path + "/gh-config"
        let environment = ["GH_CONFIG_DIR": home, "NO_COLOR": "1", "GH_NO_UPDATE_NOTIFIER": "1", "GH_PROMPT_DISABLED": "1"]
        for call in calls {
            let subcommand = Array(call.argv.prefix(2))
            let help = try h.runner.run([real] + subcommand + ["--help"], environment: environment, input: nil, timeoutSeconds: 30)
            let text = help.stdout + help.stderr
            for flag in call.argv.dropFirst(2) where flag.hasPrefix("--") {
                #expect(text.contains(flag + " ") || text.contains(flag + ","), "gh \(subcommand.joined(separator: " ")) has no \(flag)")
            }
        }
        // Every strategy orange may pass.
        let mergeHelp = try h.runner.run([real, "pr", "merge", "--help"], environment: environment, input: nil, timeoutSeconds: 30)
        for strategy in PullRequestMergeStrategy.allCases {
            #expect(mergeHelp.stdout.contains(strategy.ghFlag + " "), "gh pr merge has no \(strategy.ghFlag)")
        }
        // `--json` without fields lists the fields gh knows (offline).
        let fields = try h.runner.run(
            [real, "pr", "view", ScriptedGitHub.url, "--json"], environment: environment, input: nil, timeoutSeconds: 30)
        let offered = Set((fields.stdout + fields.stderr).split(whereSeparator: \.isWhitespace).map(String.init))
        for field in PullRequestStatus.ghFields.split(separator: ",") {
            #expect(offered.contains(String(field)), "gh pr view --json offers no \(field)")
        }
    }
}
