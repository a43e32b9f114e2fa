import OrangeCore
import OrangeSystem
import OrangeTestSupport
import Testing

extension OrangeHarness {
    /// Starts `orange watch` in the background; returns its pid. Stop it with `stopWatch`.
    func startWatch(in cwd: String, arguments: [String] = []) throws -> String {
        let log = directory.path + "/watch.log"
        let extra = arguments.map { " " + ShellQuoting.quote($0) }.joined()
        let script =
            "cd \(ShellQuoting.quote(cwd)) && \(ShellQuoting.quote(Self.binary)) watch --sweep-interval 2\(extra) > \(ShellQuoting.quote(log)) 2>&1 & echo $!"
        let pid = try runner.check(["sh", "-c", script], environment: environment).stdout.trimmingSpaces()
        try waitUntilTheEngineAnswers()
        return pid
    }

    /// Ready when `watch sync` is answered: the engine holds the lock and reads events.
    func waitUntilTheEngineAnswers(timeout seconds: Double = 20) throws {
        let clock = SystemClock()
        let deadline = clock.monotonicNanoseconds() + UInt64(seconds * 1e9)
        while try orange(["watch", "sync", "--timeout", "5"]).exitCode != 0 {
            if clock.monotonicNanoseconds() > deadline { Issue.record("orange watch did not start: \(watchLog)"); break }
            _ = try runner.run(["sleep", "0.05"])
        }
    }

    var watchLog: String { (try? FileSystem.readText(directory.path + "/watch.log")) ?? "" }

    func stopWatch(_ pid: String) {
        _ = try? runner.run(["kill", "-TERM", pid])
        _ = try? runner.run(
            ["sh", "-c", "while kill -0 \(pid) 2>/dev/null; do sleep 0.02; done"], environment: [:], input: nil, timeoutSeconds: 10)
    }

    /// Edits TASK.md the way editors and agents do: write a temporary file, rename it over.
    func renameOverSave(_ id: String, project: String, _ edit: (String) -> String) throws {
        let path = "\(home)/tasks/\(project)/\(id)/TASK.md"
        let text = edit(try FileSystem.readText(path))
        let temporary = "\(home)/tasks/\(project)/\(id)/TASK.md.tmp"
        try AtomicFile.write(text, to: temporary)
        try FileSystem.rename(temporary, to: path)
    }
}

@Suite(.serialized, .enabled(if: OrangeHarness.hasTmux, "needs tmux"))
struct WatchEndToEndTests {
    @Test func aHandEditThatMarksABlockerDoneSpawnsItsDependent() throws {
        let h = try OrangeHarness(tmux: true)
        defer { h.killTmuxServer() }
        try h.installScriptedAgent()
        let repo = try h.makeProject("oauth")
        let db = try #require(
            try h.task(["task", "create", "oauth-db", "schema", "--harness", "script", "--no-spawn"], in: repo)["id"]?.stringValue)
        let api = try #require(
            try h.task(["task", "create", "oauth-api", "endpoints", "--harness", "script", "--blocked-by", db, "--no-spawn"], in: repo)[
                "id"]?.stringValue)
        let pid = try h.startWatch(in: repo)
        defer { h.stopWatch(pid) }

        // The engine's catch-up pass starts the ready task; the agent finishes it.
        _ = try h.waitFor(db, "reviewing") { $0["status"] == "reviewing" }
        #expect(try h.status(api) == "pending")
        _ = try h.task(["task", "approve", db])
        // A person (or an agent) edits the file directly: rename-over save of status: done.
        try h.renameOverSave(db, project: "oauth") { $0.replacing("status: reviewed\n", with: "status: done\n") }
        _ = try h.orange(["watch", "sync"])
        _ = try h.waitFor(api, "started by the engine") { $0["status"] == "working" || $0["status"] == "reviewing" }
        #expect(h.watchLog.contains("oauth-db  reviewed → done"))
        #expect(h.watchLog.contains("oauth-api  ready  (blocker oauth-db done)"))
        // Only one engine per ORANGE_HOME.
        let second = try h.orange(["watch"], in: repo)
        #expect(second.exitCode == 1 && second.stderr.contains("another orange engine is running"))
    }

    @Test func theEngineRemovesLeftoversOfACrashWhenItStarts() throws {
        let h = try OrangeHarness(tmux: true)
        defer { h.killTmuxServer() }
        let repo = try h.makeProject("coffee")
        let id = try #require(
            try h.task(["task", "create", "oauth-db", "schema", "--status", "reviewing", "--no-spawn"], in: repo)["id"]?.stringValue)
        // A write cut short by a process that is gone (no process has a pid that high).
        let leftover = "\(h.home)/tasks/coffee/\(id)/.TASK.md.orange-tmp-2147483646-1"
        try FileSystem.createEmptyFile(leftover)
        let pid = try h.startWatch(in: repo)
        defer { h.stopWatch(pid) }
        let clock = SystemClock()
        let deadline = clock.monotonicNanoseconds() + 20_000_000_000
        while FileSystem.fileExists(leftover) && clock.monotonicNanoseconds() < deadline { _ = try h.runner.run(["sleep", "0.05"]) }
        #expect(!FileSystem.fileExists(leftover))
        #expect(try h.status(id) == "reviewing")
    }

    @Test func markingTheLastChildDoneCompletesTheParentAndItsParent() throws {
        let h = try OrangeHarness(tmux: true)
        defer { h.killTmuxServer() }
        let repo = try h.makeProject("oauth")
        let root = try #require(try h.task(["task", "create", "root", "root", "--no-spawn"], in: repo)["id"]?.stringValue)
        _ = try h.json(["task", "update", root, "--status", "working", "--as", "human"])
        let mid = try #require(try h.task(["task", "create", "mid", "mid", "--parent", root, "--no-spawn"], in: repo)["id"]?.stringValue)
        _ = try h.json(["task", "update", root, "--status", "delegated", "--as", "agent"])
        _ = try h.json(["task", "update", mid, "--status", "working", "--as", "human"])
        let leaf = try #require(try h.task(["task", "create", "leaf", "leaf", "--parent", mid, "--no-spawn"], in: repo)["id"]?.stringValue)
        _ = try h.json(["task", "update", mid, "--status", "delegated", "--as", "agent"])
        _ = try h.json(["task", "update", leaf, "--status", "working", "--as", "human"])
        let pid = try h.startWatch(in: repo)
        defer { h.stopWatch(pid) }

        try h.renameOverSave(leaf, project: "oauth") { $0.replacing("status: working\n", with: "status: done\n") }
        let sync = try h.orange(["watch", "sync", "--timeout", "10"])
        #expect(sync.exitCode == 0, "\(sync.stderr) \(h.watchLog)")
        _ = try h.waitFor(root, "done") { $0["status"] == "done" }
        #expect(try h.status(mid) == "done")
    }

    /// The engine decides on its own graph, which keeps an invalid file's last good version for
    /// display; it must not act on that version. A delegated parent whose TASK.md is broken when
    /// its last child is done is left alone (its file never rewritten), and completed once fixed.
    @Test func aBrokenParentIsNotActedOnUntilItIsFixed() throws {
        let h = try OrangeHarness(tmux: true)
        defer { h.killTmuxServer() }
        let repo = try h.makeProject("oauth")
        let parent = try #require(try h.task(["task", "create", "parent", "p", "--no-spawn"], in: repo)["id"]?.stringValue)
        _ = try h.json(["task", "update", parent, "--status", "working", "--as", "human"])
        let child = try #require(
            try h.task(["task", "create", "child", "c", "--parent", parent, "--no-spawn"], in: repo)["id"]?.stringValue)
        _ = try h.json(["task", "update", parent, "--status", "delegated", "--as", "agent"])
        _ = try h.json(["task", "update", child, "--status", "working", "--as", "human"])
        let pid = try h.startWatch(in: repo)
        defer { h.stopWatch(pid) }

        let parentFile = "\(h.home)/tasks/oauth/\(parent)/TASK.md"
        let good = try FileSystem.readText(parentFile)
        try h.renameOverSave(parent, project: "oauth") { $0.replacing("status: delegated\n", with: "status: [delegated\n") }
        let broken = try FileSystem.readText(parentFile)
        #expect(try h.orange(["watch", "sync", "--timeout", "10"]).exitCode == 0)
        try h.renameOverSave(child, project: "oauth") { $0.replacing("status: working\n", with: "status: done\n") }
        #expect(try h.orange(["watch", "sync", "--timeout", "10"]).exitCode == 0)
        #expect(try FileSystem.readText(parentFile) == broken, "a malformed file was rewritten")
        #expect(!h.watchLog.contains("error:"), "\(h.watchLog)")

        try h.renameOverSave(parent, project: "oauth") { _ in good }
        _ = try h.waitFor(parent, "done") { $0["status"] == "done" }
    }
}

@Suite(.serialized, .enabled(if: OrangeHarness.hasTmux, "needs tmux"))
struct WatchProjectEndToEndTests {
    /// `orange watch --project a`: ready tasks of `a` are started (the catch-up pass and a task
    /// created while it runs), a ready task of `b` is not, even when its file is edited.
    @Test func aProjectScopedEngineSpawnsOnlyInThatProject() throws {
        let h = try OrangeHarness(tmux: true)
        defer { h.killTmuxServer() }
        // An agent that only waits: the scripted one reports back through orange commands, and
        // every command's own reconcile starts ready tasks of any project, which would blur
        // what the engine did.
        try FileSystem.makeDirectories(h.home)
        try AtomicFile.write(#"{"harnesses": {"idle": {"command": ["sleep", "120"]}}}"#, to: h.home + "/config.json")
        let repoA = try h.makeProject("a")
        let repoB = try h.makeProject("b")
        #expect(try h.orange(["watch", "--help"]).stdout.contains("-p, --project <name>"))
        let unknown = try h.orange(["watch", "--project", "nope"])
        #expect(unknown.exitCode == 1 && unknown.stderr.contains("project 'nope' is not registered"), "\(unknown.stderr)")
        #expect(!FileSystem.fileExists(h.home + "/.engine.lock"), "the project is checked before the engine lock is taken")

        let inA = try #require(
            try h.task(["task", "create", "a-first", "work", "--harness", "idle", "--no-spawn"], in: repoA)["id"]?.stringValue)
        let inB = try #require(
            try h.task(["task", "create", "b-first", "work", "--harness", "idle", "--no-spawn"], in: repoB)["id"]?.stringValue)
        // Started from b's repository: an explicit --project wins over the current directory.
        let pid = try h.startWatch(in: repoB, arguments: ["--project", "a"])
        defer { h.stopWatch(pid) }
        #expect(h.watchLog.contains("orange watch: watching \(h.home)/tasks/a "), "\(h.watchLog)")

        _ = try h.waitFor(inA, "started by the engine's catch-up pass") { $0["status"] == "working" }
        let later = try #require(
            try h.task(["task", "create", "a-later", "work", "--harness", "idle", "--no-spawn"], in: repoA)["id"]?.stringValue)
        _ = try h.waitFor(later, "started by the engine on the new file") { $0["status"] == "working" }

        // An edit of b's ready task: an engine covering b would read it and spawn it at once.
        try h.renameOverSave(inB, project: "b") { $0 + "\nEdited while the engine runs.\n" }
        let sync = try h.orange(["watch", "sync", "--timeout", "10"])
        #expect(sync.exitCode == 0, "\(sync.stderr)")
        let shownB = try h.task(["task", "show", inB])
        #expect(shownB["status"] == "pending", "\(shownB) \(h.watchLog)")
        #expect(!h.watchLog.contains(inB), "\(h.watchLog)")
        // Still one engine per ORANGE_HOME, whatever the project.
        let second = try h.orange(["watch", "--project", "b"], in: repoB)
        #expect(second.exitCode == 1 && second.stderr.contains("another orange engine is running"))
    }
}

@Suite(.serialized, .enabled(if: OrangeHarness.hasTmux, "needs tmux"))
struct WatchGitPullEndToEndTests {
    /// The tasks folder kept in git: a `git pull` that brings a status change is applied like any
    /// other edit (git rewrites files by delete and re-create, never a rename).
    @Test func aGitPullThatMarksABlockerDoneSpawnsItsDependent() throws {
        let h = try OrangeHarness(tmux: true)
        defer { h.killTmuxServer() }
        try h.installScriptedAgent()
        let repo = try h.makeProject("oauth")
        let db = try #require(
            try h.task(["task", "create", "oauth-db", "schema", "--harness", "script", "--no-spawn", "--status", "reviewing"], in: repo)[
                "id"]?.stringValue)
        let api = try #require(
            try h.task(["task", "create", "oauth-api", "endpoints", "--harness", "script", "--blocked-by", db, "--no-spawn"], in: repo)[
                "id"]?.stringValue)
        // Put the tasks folder under git, with a second clone standing for a teammate.
        let tasks = h.home + "/tasks"
        let shared = h.directory.path + "/tasks-shared.git"
        let teammate = h.directory.path + "/teammate"
        let git = { (args: [String]) throws in _ = try h.runner.check(["git"] + args, environment: h.environment) }
        try git(["init", "-q", "--bare", "-b", "main", shared])
        try git(["-C", tasks, "init", "-q", "-b", "main"])
        try git(["-C", tasks, "add", "-A"])
        try git(["-C", tasks, "commit", "-q", "-m", "tasks"])
        try git(["-C", tasks, "remote", "add", "origin", shared])
        try git(["-C", tasks, "push", "-q", "-u", "origin", "main"])
        try git(["clone", "-q", shared, teammate])

        let pid = try h.startWatch(in: repo)
        defer { h.stopWatch(pid) }
        #expect(try h.status(api) == "pending")

        let file = teammate + "/oauth/\(db)/TASK.md"
        try AtomicFile.write(try FileSystem.readText(file).replacing("status: reviewing\n", with: "status: done\n"), to: file)
        try git(["-C", teammate, "commit", "-q", "-am", "db done"])
        try git(["-C", teammate, "push", "-q"])
        try git(["-C", tasks, "pull", "-q", "--ff-only"])
        _ = try h.orange(["watch", "sync"])
        _ = try h.waitFor(api, "started by the engine after the pull") { $0["status"] == "working" || $0["status"] == "reviewing" }
        #expect(try h.status(db) == "done")
    }
}
