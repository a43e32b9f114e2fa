import OrangeCore
import OrangeSystem
import OrangeTestSupport
import Testing

/// The owner's two flows (seed Phase 1 and 2) through the real binary.
@Suite(.serialized) struct SeedFlowsEndToEndTests {
    func id(_ value: JSONValue) throws -> String { try #require(value["id"]?.stringValue) }

    func readyIDs(_ h: OrangeHarness, _ repo: String) throws -> Set<String> {
        Set(try h.tasks(["task", "list", "--ready"], in: repo).arrayValue!.compactMap { $0["id"]?.stringValue })
    }

    /// Moves a task through review to done, as a person would.
    func finish(_ h: OrangeHarness, _ task: String) throws {
        for status in ["working", "reviewing", "reviewed", "done"] {
            _ = try h.json(["task", "update", task, "--status", status, "--as", "human"])
        }
    }

    @Test func orchestratorChainRunsInOrder() throws {
        let h = try OrangeHarness()
        let repo = try h.makeProject("oauth")
        let db = try id(h.task(["task", "create", "oauth-db", "schema", "--no-spawn"], in: repo))
        let api = try id(h.task(["task", "create", "oauth-api", "endpoints", "--blocked-by", db, "--no-spawn"], in: repo))
        let ui = try id(h.task(["task", "create", "oauth-ui", "button", "--blocked-by", api, "--no-spawn"], in: repo))

        #expect(try readyIDs(h, repo) == [db])
        let why = try h.orange(["task", "why", ui])
        #expect(why.stdout.contains(api) && why.stdout.contains(db))

        try finish(h, db)
        #expect(try readyIDs(h, repo) == [api])
        try finish(h, api)
        #expect(try readyIDs(h, repo) == [ui])
        try finish(h, ui)
        #expect(try readyIDs(h, repo).isEmpty)
        let statuses = try h.tasks(["task", "list"], in: repo).arrayValue!.map { $0["status"]?.stringValue }
        #expect(statuses == ["done", "done", "done"])
    }

    @Test func workerDelegatesNestedAndParentsAutoComplete() throws {
        let h = try OrangeHarness()
        let repo = try h.makeProject("oauth")
        let parent = try id(h.task(["task", "create", "add-oauth", "Add OAuth", "--no-spawn"], in: repo))
        _ = try h.json(["task", "update", parent, "--status", "working", "--as", "human"])

        let db = try id(h.task(["task", "create", "oauth-db", "schema", "--parent", parent, "--no-spawn"], in: repo))
        let api = try id(
            h.task(["task", "create", "oauth-api", "endpoints", "--parent", parent, "--blocked-by", db, "--no-spawn"], in: repo))
        let ui = try id(h.task(["task", "create", "oauth-ui", "button", "--parent", parent, "--blocked-by", api, "--no-spawn"], in: repo))
        let shown = try h.task(["task", "show", parent])
        #expect(shown["children"]?.arrayValue?.compactMap(\.stringValue) == [db, api, ui])

        _ = try h.json(["task", "update", parent, "--status", "delegated", "--as", "agent"])
        let listed = try h.orange(["task", "list"], in: repo)
        #expect(listed.stdout.contains("delegated (0/3)"))

        // The ui child delegates further into two grandchildren.
        try finish(h, db)
        try finish(h, api)
        _ = try h.json(["task", "update", ui, "--status", "working", "--as", "human"])
        let left = try id(h.task(["task", "create", "ui-left", "left", "--parent", ui, "--no-spawn"], in: repo))
        let right = try id(h.task(["task", "create", "ui-right", "right", "--parent", ui, "--no-spawn"], in: repo))
        _ = try h.json(["task", "update", ui, "--status", "delegated", "--as", "agent"])
        #expect(try h.orange(["task", "list"], in: repo).stdout.contains("delegated (2/3)"))

        try finish(h, left)
        // Finishing the last grandchild completes ui, which completes the parent: one cascade.
        try finish(h, right)
        let final = try h.tasks(["task", "list"], in: repo).arrayValue!
        #expect(final.allSatisfy { $0["status"] == "done" }, "\(final)")
    }

    @Test func validationRejectsCyclesCrossProjectAndMissing() throws {
        let h = try OrangeHarness()
        let repo = try h.makeProject("one")
        let other = try h.makeProject("two")
        let a = try id(h.task(["task", "create", "a", "a", "--no-spawn"], in: repo))
        let b = try id(h.task(["task", "create", "b", "b", "--blocked-by", a, "--no-spawn"], in: repo))
        let foreign = try id(h.task(["task", "create", "f", "f", "--no-spawn"], in: other))

        let cycle = try h.orange(["task", "update", a, "--blocked-by", b])
        #expect(cycle.exitCode == 1)
        #expect(cycle.stderr.contains("cycle: \(a) -> \(b) -> \(a)"), "\(cycle.stderr)")

        let cross = try h.orange(["task", "create", "c", "c", "--blocked-by", foreign, "--no-spawn"], in: repo)
        #expect(cross.exitCode == 1 && cross.stderr.contains("project"))
        let missing = try h.orange(["task", "create", "d", "d", "--blocked-by", "Zz9", "--no-spawn"], in: repo)
        #expect(missing.exitCode == 1 && missing.stderr.contains("Zz9"))

        // A child blocked by its own parent is a cycle over parent and blocked_by edges together.
        let child = try h.orange(["task", "create", "k", "k", "--parent", a, "--blocked-by", a, "--no-spawn"], in: repo)
        #expect(child.exitCode == 1 && child.stderr.contains("cycle:"))
    }
}
