import OrangeCore
import OrangeSystem
import OrangeTestSupport
import Testing

/// A scripted agent: commits a file, then reports for review. A task whose body says
/// `delegate` instead splits itself into a chain of three sub-tasks and delegates.
let scriptedAgent = #"""
    #!/bin/sh
    set -e
    task_file="$1"
    id="$ORANGE_TASK_ID"
    new_id() { sed -n 's/^    "id": "\([A-Za-z0-9]*\)",$/\1/p' | head -n 1; }
    if grep -q '^delegate$' "$task_file"; then
        a=$(orange task create "$id-a" "first part" --json | new_id)
        b=$(orange task create "$id-b" "second part" --blocked-by "$a" --json | new_id)
        orange task create "$id-c" "third part" --blocked-by "$b" --json >/dev/null
        orange task update --status delegated
        exit 0
    fi
    echo "work of $id" > "work-$id.txt"
    git add "work-$id.txt"
    git -c user.name=agent -c user.email=agent@orange.invalid commit -q -m "work for $id"
    orange task update --status reviewing
    """#

extension OrangeHarness {
    /// Installs the scripted agent as harness `script` and returns a private tmux socket name.
    func installScriptedAgent() throws {
        try FileSystem.makeDirectories(home)
        try AtomicFile.write(scriptedAgent, to: directory.path + "/agent.sh", mode: 0o755)
        try AtomicFile.write(
            #"{"harnesses": {"script": {"command": ["sh", "\#(directory.path)/agent.sh", "{task_file}"]}}}"#,
            to: home + "/config.json")
    }

    /// Waits (with a deadline, never a fixed sleep) until `condition` holds for the task.
    func waitFor(_ id: String, timeout: Double = 30, _ what: String, _ condition: (JSONValue) -> Bool) throws -> JSONValue {
        let clock = SystemClock()
        let deadline = clock.monotonicNanoseconds() + UInt64(timeout * 1e9)
        var last: JSONValue = .null
        while clock.monotonicNanoseconds() < deadline {
            last = try task(["task", "show", id])
            if condition(last) { return last }
            _ = try runner.run(["sleep", "0.05"])  // a poll interval, not a wait for the outcome
        }
        Issue.record("timed out waiting for \(id) to be \(what); last: \(last["status"] ?? .null) \(last["last_error"] ?? .null)")
        return last
    }

    func status(_ id: String) throws -> String? { try task(["task", "show", id])["status"]?.stringValue }
}

@Suite(.serialized, .enabled(if: OrangeHarness.hasTmux, "needs tmux"))
struct RuntimeEndToEndTests {
    @Test func chainRunsWithRealGitAndTmuxThroughReviewAndMerge() throws {
        let h = try OrangeHarness(tmux: true)
        defer { h.killTmuxServer() }
        try h.installScriptedAgent()
        let repo = try h.makeProject("oauth", poolSize: 2)
        let db = try #require(try h.task(["task", "create", "oauth-db", "schema", "--harness", "script"], in: repo)["id"]?.stringValue)
        let api = try #require(
            try h.task(["task", "create", "oauth-api", "endpoints", "--harness", "script", "--blocked-by", db], in: repo)["id"]?.stringValue
        )
        #expect(try h.status(api) == "pending")

        let reviewing = try h.waitFor(db, "reviewing") { $0["status"] == "reviewing" }
        let workspace = try #require(reviewing["workspace"]?.stringValue)
        #expect(FileSystem.readSymbolicLink(h.home + "/workspaces/\(workspace)/TASK.md") == h.home + "/tasks/oauth/\(db)/TASK.md")
        #expect(try h.status(api) == "pending")

        _ = try h.task(["task", "approve", db])
        let merged = try h.json(["task", "merge", db])
        #expect(merged["task"]?["status"] == "done")
        // The merge landed on origin, and the user's checkout was not touched.
        let originLog = try h.runner.check(["git", "-C", h.directory.path + "/oauth-origin.git", "log", "--format=%s", "main"]).stdout
        #expect(originLog.contains("work for \(db)"))
        let localLog = try h.runner.check(["git", "-C", repo, "log", "--format=%s"]).stdout
        #expect(!localLog.contains("work for"))
        // The dependent started on its own, from the merged main.
        _ = try h.waitFor(api, "reviewing") { $0["status"] == "reviewing" }
        let apiWorkspace = h.home + "/workspaces/" + (try h.task(["task", "show", api])["workspace"]?.stringValue ?? "")
        #expect(FileSystem.fileExists(apiWorkspace + "/work-\(db).txt"))
        let dbAfter = try h.task(["task", "show", db])
        #expect(dbAfter["workspace"] == .null && dbAfter["tmux_session"] == .null)
    }

    @Test func workerDelegatesThenChildrenRunAndTheParentCompletes() throws {
        let h = try OrangeHarness(tmux: true)
        defer { h.killTmuxServer() }
        try h.installScriptedAgent()
        let repo = try h.makeProject("oauth", poolSize: 2)
        let parent = try #require(
            try h.task(["task", "create", "add-oauth", "Add OAuth", "--harness", "script", "--context", "delegate"], in: repo)["id"]?
                .stringValue)
        let delegated = try h.waitFor(parent, "delegated") { $0["status"] == "delegated" }
        let children = delegated["children"]?.arrayValue?.compactMap(\.stringValue) ?? []
        #expect(children.count == 3, "\(delegated)")
        // Released: no workspace, no session.
        let released = try h.waitFor(parent, "released") { $0["workspace"] == .null && $0["tmux_session"] == .null }
        #expect(released["progress"]?["total"] == 3)
        #expect(try h.orange(["task", "list"], in: repo).stdout.contains("delegated (0/3)"))
        for child in children {
            _ = try h.waitFor(child, "reviewing") { $0["status"] == "reviewing" }
            _ = try h.task(["task", "approve", child])
            _ = try h.json(["task", "merge", child])
        }
        #expect(try h.status(parent) == "done")
        let sessions = (try? h.runner.run(["tmux", "-L", h.tmuxSocket!, "list-sessions", "-F", "#{session_name}"]))?.stdout ?? ""
        #expect(!sessions.contains("add-oauth"))
    }
}
