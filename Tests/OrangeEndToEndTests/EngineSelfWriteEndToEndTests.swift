import OrangeCore
import OrangeSystem
import OrangeTestSupport
import Testing

/// F16 in the real engine: what the engine writes itself reaches its graph as its own write
/// (`.selfWrite`), at once and once, instead of coming back as news from the file.
@Suite(.serialized, .enabled(if: OrangeHarness.hasTmux, "needs tmux"))
struct EngineSelfWriteEndToEndTests {
    @Test func anAutoCompleteTheEngineWritesIsReportedOnceAsItsOwn() throws {
        let h = try OrangeHarness(tmux: true)
        defer { h.killTmuxServer() }
        let repo = try h.makeProject("oauth")
        let root = try #require(try h.task(["task", "create", "root", "root", "--no-spawn"], in: repo)["id"]?.stringValue)
        _ = try h.json(["task", "update", root, "--status", "working", "--as", "human"])
        let leaf = try #require(
            try h.task(["task", "create", "leaf", "leaf", "--parent", root, "--no-spawn"], in: repo)["id"]?.stringValue)
        _ = try h.json(["task", "update", root, "--status", "delegated", "--as", "agent"])
        _ = try h.json(["task", "update", leaf, "--status", "working", "--as", "human"])
        let pid = try h.startWatch(in: repo, arguments: ["--json"])
        defer { h.stopWatch(pid) }

        try h.renameOverSave(leaf, project: "oauth") { $0.replacing("status: working\n", with: "status: done\n") }
        _ = try h.waitFor(root, "done") { $0["status"] == "done" }
        // Once the read-back of the engine's write has settled, nothing more is reported for it.
        #expect(try h.orange(["watch", "sync", "--timeout", "10"]).exitCode == 0, "\(h.watchLog)")

        let statusEvents = h.watchLog.split(separator: "\n").compactMap { try? JSONValue.parse(String($0)) }
            .filter { $0["event"] == "status" }
        let leafEvents = statusEvents.filter { $0["id"]?.stringValue == leaf }
        let rootEvents = statusEvents.filter { $0["id"]?.stringValue == root }
        #expect(leafEvents.map { $0["origin"]?.stringValue } == ["file"], "\(h.watchLog)")
        #expect(rootEvents.map { $0["origin"]?.stringValue } == ["engine"], "\(h.watchLog)")
        #expect(rootEvents.first?["to"]?.stringValue == "done")
    }
}
