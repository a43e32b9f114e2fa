import OrangeCore
import OrangeSystem
import OrangeTestSupport
import Testing

/// An agent for the branch model, run as a real agent (plain `orange` from its PATH, git in its
/// worktree). The task's body says what it does: `chain3` splits into a chain of three children,
/// `nest` into one child that splits in two (`split2`), `clash` into two children that write the
/// same file (`shared`); a leaf writes down which children's files it sees, commits its own and
/// asks for review; a task whose TASK.md asks for changes commits a fix on top of what it sees;
/// a task whose TASK.md has a merge conflict merges its parent's branch, keeps
/// both sides and asks for review again.
let branchingAgent = #"""
    #!/bin/sh
    set -e
    task_file="$1"; id="$ORANGE_TASK_ID"
    new_id() { sed -n 's/^    "id": "\([A-Za-z0-9]*\)",$/\1/p' | head -n 1; }
    commit() { git add -A; git -c user.name=agent -c user.email=agent@orange.invalid commit -q -m "$1"; }
    split() { orange task update --status delegated > /dev/null; exit 0; }
    if grep -q '^## Merge conflict$' "$task_file"; then
        pb=$(sed -n 's/^Parent branch: //p' "$task_file")
        git fetch -q origin
        git -c user.name=agent -c user.email=agent@orange.invalid merge -q "origin/$pb" > /dev/null 2>&1 || true
        { git show "origin/$pb:shared.txt"; git show HEAD:shared.txt; } > shared.txt
        commit "resolve the conflict of $id"
        orange task update --status reviewing > /dev/null
        exit 0
    fi
    if grep -q '^## Changes requested$' "$task_file"; then
        (ls work-*.txt 2> /dev/null || true) > "seen-fix-$id.txt"
        echo "fix of $id" > "fix-$id.txt"
        commit "changes for $id"
        orange task update --status reviewing > /dev/null
        exit 0
    fi
    if grep -q '^chain3$' "$task_file"; then
        a=$(orange task create "$id-a" "first" --json | new_id)
        b=$(orange task create "$id-b" "second" --blocked-by "$a" --json | new_id)
        orange task create "$id-c" "third" --blocked-by "$b" > /dev/null
        split
    fi
    if grep -q '^nest$' "$task_file"; then
        orange task create "$id-m" "middle" --context split2 > /dev/null
        split
    fi
    if grep -q '^split2$' "$task_file"; then
        a=$(orange task create "$id-a" "leaf one" --json | new_id)
        orange task create "$id-b" "leaf two" --blocked-by "$a" > /dev/null
        split
    fi
    if grep -q '^clash$' "$task_file"; then
        orange task create "$id-a" "left" --context shared > /dev/null
        orange task create "$id-b" "right" --context shared > /dev/null
        split
    fi
    if grep -q '^shared$' "$task_file"; then
        echo "line of $id" > shared.txt
    else
        (ls work-*.txt 2> /dev/null || true) > "seen-$id.txt"
        echo "work of $id" > "work-$id.txt"
    fi
    commit "work for $id"
    orange task update --status reviewing > /dev/null
    """#

extension OrangeHarness {
    func installBranchingAgent() throws {
        try FileSystem.makeDirectories(home)
        try AtomicFile.write(branchingAgent, to: directory.path + "/brancher.sh", mode: 0o755)
        try AtomicFile.write(
            #"{"harnesses": {"brancher": {"command": ["sh", "\#(directory.path)/brancher.sh", "{task_file}"]}}}"#,
            to: home + "/config.json")
    }

    func git(_ args: [String]) throws -> String {
        try runner.check(["git"] + args, environment: environment).stdout
    }

    /// Waits for the task to ask for review, approves and merges it; returns the merge's JSON.
    func reviewAndMerge(_ id: String) throws -> JSONValue {
        _ = try waitFor(id, "reviewing") { $0["status"] == "reviewing" }
        _ = try task(["task", "approve", id])
        return try json(["task", "merge", id])
    }

    /// The user's checkout as it is: its HEAD, main, and `git status`.
    func checkoutState(_ repo: String) throws -> [String] {
        try [
            git(["-C", repo, "symbolic-ref", "HEAD"]), git(["-C", repo, "rev-parse", "main"]), git(["-C", repo, "status", "--porcelain"]),
        ]
    }
}

@Suite(.serialized, .enabled(if: OrangeHarness.hasTmux, "needs tmux"))
struct HierarchicalBranchesEndToEndTests {
    func children(_ h: OrangeHarness, _ id: String) throws -> [String] {
        (try h.task(["task", "show", id])["children"]?.arrayValue ?? []).compactMap(\.stringValue)
    }

    func subjects(_ h: OrangeHarness, _ origin: String, _ ref: String) throws -> [String] {
        try h.git(["-C", origin, "log", "--format=%s", ref]).split(separator: "\n").map(String.init)
    }

    /// Three chained children merge into the parent's branch, each starting from it (so each
    /// sees its blockers' work); the parent then waits for one review instead of completing, and
    /// its merge puts every child's commit on main exactly once. The user's checkout is never
    /// touched, and the temporary worktree of the parent's merge is gone.
    @Test func threeChildrenMergeIntoTheParentsBranchWhichIsReviewedAndMergedOnce() throws {
        let h = try OrangeHarness(tmux: true)
        defer { h.killTmuxServer() }
        try h.installBranchingAgent()
        let repo = try h.makeProject("agg", poolSize: 2)
        let origin = h.directory.path + "/agg-origin.git"
        let before = try h.checkoutState(repo)
        let parent = try #require(
            try h.task(
                [
                    "task", "create", "feature", "the feature", "--harness", "brancher", "--context", "chain3", "--branches",
                    "hierarchical",
                ], in: repo)["id"]?.stringValue)
        _ = try h.waitFor(parent, "delegated") { $0["status"] == "delegated" && ($0["children"]?.arrayValue?.count ?? 0) == 3 }
        let kids = try children(h, parent)
        #expect(try h.task(["task", "show", kids[0]])["effective_branches"] == "hierarchical")
        for kid in kids {
            let merged = try h.reviewAndMerge(kid)
            #expect(merged["into"] == "feature", "\(merged)")
            #expect(try h.status(kid) == "done")
        }
        // Each child started from the parent's branch holding its blockers' work.
        #expect(try h.git(["-C", repo, "show", "\(parent)-b:seen-\(kids[1]).txt"]) == "work-\(kids[0]).txt\n")
        // `ls` sorts by name, and ids are random: compared as sets.
        let seenByC = Set(try h.git(["-C", repo, "show", "\(parent)-c:seen-\(kids[2]).txt"]).split(separator: "\n").map(String.init))
        #expect(seenByC == ["work-\(kids[0]).txt", "work-\(kids[1]).txt"], "\(seenByC)")
        let reviewing = try h.waitFor(parent, "reviewing") { $0["status"] == "reviewing" }
        #expect(reviewing["status"] == "reviewing")
        #expect(try !subjects(h, origin, "main").contains { $0.hasPrefix("work for") }, "main changed before the parent's review")

        // The reviewer asks for changes: the parent's agent, started again, sees its children's
        // work on its branch and commits a fix on top; the merge takes both.
        try h.renameOverSave(parent, project: "agg") { $0 + "\n## Changes requested\n\nadd a fix\n" }
        _ = try h.task(["task", "respawn", parent])
        _ = try h.waitFor(parent, "reviewing again") { $0["status"] == "reviewing" }
        let seenByFix = Set(try h.git(["-C", repo, "show", "feature:seen-fix-\(parent).txt"]).split(separator: "\n").map(String.init))
        #expect(seenByFix == Set(kids.map { "work-\($0).txt" }), "\(seenByFix)")
        _ = try h.task(["task", "approve", parent])
        let merged = try h.json(["task", "merge", parent])
        #expect(merged["into"] == "main" && merged["task"]?["status"] == "done", "\(merged)")
        let onMain = try subjects(h, origin, "main")
        for kid in kids { #expect(onMain.filter { $0 == "work for \(kid)" }.count == 1, "\(kid): \(onMain)") }
        #expect(onMain.filter { $0 == "changes for \(parent)" }.count == 1, "\(onMain)")
        #expect(try h.checkoutState(repo) == before)
        let leftovers = try h.runner.check(["sh", "-c", "ls -a \(h.home)/workspaces | grep '^\\.merge-' || true"]).stdout
        #expect(leftovers.isEmpty, "\(leftovers)")
    }

    /// Three levels: the leaves merge into the middle task's branch, the middle task is reviewed
    /// and merged into the top task's branch, the top task is reviewed and merged into main.
    @Test func aThreeLevelNestMergesLevelByLevel() throws {
        let h = try OrangeHarness(tmux: true)
        defer { h.killTmuxServer() }
        try h.installBranchingAgent()
        let repo = try h.makeProject("nest", poolSize: 2)
        let origin = h.directory.path + "/nest-origin.git"
        let before = try h.checkoutState(repo)
        let top = try #require(
            try h.task(
                [
                    "task", "create", "top", "the top", "--harness", "brancher", "--context", "nest", "--branches", "hierarchical",
                ], in: repo)["id"]?.stringValue)
        _ = try h.waitFor(top, "delegated") { $0["status"] == "delegated" }
        let middle = try #require(try children(h, top).first)
        _ = try h.waitFor(middle, "delegated") { $0["status"] == "delegated" && ($0["children"]?.arrayValue?.count ?? 0) == 2 }
        let leaves = try children(h, middle)
        for leaf in leaves { #expect(try h.reviewAndMerge(leaf)["into"] == .string("\(top)-m")) }
        _ = try h.waitFor(middle, "reviewing") { $0["status"] == "reviewing" }
        #expect(try h.status(top) == "delegated")
        _ = try h.task(["task", "approve", middle])
        #expect(try h.json(["task", "merge", middle])["into"] == "top")
        let onTop = try subjects(h, origin, "top")
        for leaf in leaves { #expect(onTop.contains("work for \(leaf)"), "\(onTop)") }
        #expect(try !subjects(h, origin, "main").contains { $0.hasPrefix("work for") })
        _ = try h.waitFor(top, "reviewing") { $0["status"] == "reviewing" }
        _ = try h.task(["task", "approve", top])
        #expect(try h.json(["task", "merge", top])["into"] == "main")
        let onMain = try subjects(h, origin, "main")
        for leaf in leaves { #expect(onMain.filter { $0 == "work for \(leaf)" }.count == 1, "\(onMain)") }
        #expect(try h.status(top) == "done" && h.status(middle) == "done")
        #expect(try h.checkoutState(repo) == before)
        // Both aggregates were merged from temporary worktrees (their own were given back), gone now.
        let leftovers = try h.runner.check(["sh", "-c", "ls -a \(h.home)/workspaces | grep '^\\.merge-' || true"]).stdout
        #expect(leftovers.isEmpty, "\(leftovers)")
        #expect(try !h.git(["-C", repo, "worktree", "list"]).contains(".merge-"))
    }

    /// Two siblings write the same file: the second's merge into the parent's branch conflicts.
    /// Nothing is pushed, the sibling goes back to working with the conflict (files and how) in
    /// its TASK.md, and its agent, started again, resolves it; the next merge goes through.
    @Test func aConflictingSiblingGoesBackToItsAgentWithTheConflictInItsTaskFile() throws {
        let h = try OrangeHarness(tmux: true)
        defer { h.killTmuxServer() }
        try h.installBranchingAgent()
        let repo = try h.makeProject("clash", poolSize: 3)
        let origin = h.directory.path + "/clash-origin.git"
        let parent = try #require(
            try h.task(
                [
                    "task", "create", "pair", "two sides", "--harness", "brancher", "--context", "clash", "--branches", "hierarchical",
                ], in: repo)["id"]?.stringValue)
        _ = try h.waitFor(parent, "delegated") { $0["status"] == "delegated" && ($0["children"]?.arrayValue?.count ?? 0) == 2 }
        let (left, right) = try {
            let k = try children(h, parent); return (k[0], k[1])
        }()
        _ = try h.waitFor(right, "reviewing") { $0["status"] == "reviewing" }
        #expect(try h.reviewAndMerge(left)["into"] == "pair")
        let tip = try h.git(["-C", origin, "rev-parse", "pair"])

        _ = try h.task(["task", "approve", right])
        let conflicted = try h.orange(["task", "merge", right])
        #expect(
            conflicted.exitCode == 1 && conflicted.stderr.contains("conflicted in shared.txt"), "\(conflicted.stdout) \(conflicted.stderr)")
        #expect(try h.git(["-C", origin, "rev-parse", "pair"]) == tip, "a conflicting merge pushed something")
        let body = try FileSystem.readText(h.home + "/tasks/clash/\(right)/TASK.md")
        #expect(body.contains("## Merge conflict") && body.contains("- shared.txt") && body.contains("git merge origin/pair"), "\(body)")
        let history = try h.json(["task", "show", right])["history"]?.arrayValue ?? []
        #expect(history.contains { $0["from"] == "reviewed" && $0["to"] == "working" }, "\(history)")
        #expect(history.contains { $0["type"] == "merge.conflicted" })

        // Its agent, started again, resolves it; the merge then goes through.
        #expect(try h.reviewAndMerge(right)["into"] == "pair")
        _ = try h.waitFor(parent, "reviewing") { $0["status"] == "reviewing" }
        _ = try h.task(["task", "approve", parent])
        #expect(try h.json(["task", "merge", parent])["into"] == "main")
        let shared = try h.git(["-C", origin, "show", "main:shared.txt"])
        #expect(shared.contains("line of \(left)") && shared.contains("line of \(right)"), "\(shared)")
    }
}
