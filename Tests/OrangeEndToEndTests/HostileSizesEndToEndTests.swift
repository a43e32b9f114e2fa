import OrangeCore
import OrangeSystem
import OrangeTestSupport
import Testing

/// Sizes far past real use, through the binary: a 10 MB TASK.md, a task with 10,000 blockers,
/// a 1,000-level delegation chain. Each must work, lose nothing, and stay quick.
@Suite(.serialized) struct HostileSizesEndToEndTests {
    /// Writes a task file without the fsyncs of the atomic writer: a thousand of them would
    /// spend seconds on the disk rather than on orange.
    func writeTask(_ h: OrangeHarness, _ id: String, _ lines: [String]) throws {
        let folder = h.home + "/tasks/coffee/\(id)"
        try FileSystem.makeDirectories(folder)
        try AtomicFile.appendLine("---\nid: \(id)\nproject: coffee\n" + lines.map { $0 + "\n" }.joined() + "---", to: folder + "/TASK.md")
    }

    /// Runs a command that must succeed, and returns its standard output.
    func run(_ h: OrangeHarness, _ args: [String], in repo: String) throws -> String {
        let result = try h.orange(args, in: repo)
        #expect(result.exitCode == 0, "\(args): \(result.stderr.prefix(500))")
        return result.stdout
    }

    @Test func aTenMegabyteTaskFileIsReadAndRewrittenWithoutLoss() throws {
        let h = try OrangeHarness()
        let repo = try h.makeProject("coffee")
        let id = try #require(try h.task(["task", "create", "big", "a big task", "--no-spawn"], in: repo)["id"]?.stringValue)
        let path = h.home + "/tasks/coffee/\(id)/TASK.md"
        // 10 MB of body (with lines that look like fences and escapes: it is free text) and a
        // 150 KB literal block of the user's own in the front matter.
        let row = String(repeating: "x", count: 80) + " \u{1B}[31m --- `$(x)`\n"
        let body = "---\n" + String(repeating: row, count: 10 * 1024 * 1024 / row.utf8.count)
        let notes = (0..<2500).map { "  note \($0): 'quoted', #not-a-comment, [not a list]" }.joined(separator: "\n")
        let original = try FileSystem.readText(path)
        try AtomicFile.write(original.replacing("---\n", with: "---\nnotes: |\n\(notes)\n", maxReplacements: 1) + body, to: path)
        #expect(FileSystem.status(path)!.size > 10_000_000)

        #expect(try h.task(["task", "show", id])["description"] == "a big task")
        #expect(try run(h, ["task", "list"], in: repo).contains(id))
        _ = try h.json(["task", "update", id, "--description", "still big", "--as", "human"])
        let after = try FileSystem.readBytes(path)
        #expect(after.suffix(body.utf8.count).elementsEqual(body.utf8), "the 10 MB body is kept byte for byte")
        let text = String(decoding: after, as: UTF8.self)
        #expect(text.contains("description: still big\n"))
        #expect(text.contains("notes: |\n\(notes)\n"), "the user's block is kept")
        #expect(try h.orange(["doctor"]).exitCode == 0)
    }

    @Test func aTaskWithTenThousandBlockersIsShownExplainedAndEdited() throws {
        let h = try OrangeHarness()
        let repo = try h.makeProject("coffee")
        // 100 blockers exist and are done; 9,900 do not exist.
        for i in 0..<100 { try writeTask(h, "D\(i)", ["status: done"]) }
        let blockers = (0..<100).map { "D\($0)" } + (100..<10_000).map { "M\($0)" }
        try writeTask(h, "Many1", ["status: pending", "blocked_by: [\(blockers.joined(separator: ", "))]"])

        let shown = try h.task(["task", "show", "Many1"])
        #expect(shown["blocked_by"]?.arrayValue?.count == 10_000)
        #expect(shown["ready"] == false && shown["blockers"]?.arrayValue?.count == 9_900)
        let why = try run(h, ["task", "why", "Many1"], in: repo).split(separator: "\n")
        #expect(why.count == 9_900 + 1 + 9_900 && why[9_900] == "root causes:")
        #expect(try run(h, ["task", "list", "--tree"], in: repo).contains("Many1"))
        _ = try h.json(["task", "update", "Many1", "--unblock", "M100,D0", "--as", "human"])
        #expect(try h.task(["task", "show", "Many1"])["blocked_by"]?.arrayValue?.count == 9_998)
        let doctor = try h.orange(["doctor", "--json"])
        #expect(doctor.exitCode == 1)
        let problems = try JSONValue.parse(doctor.stdout)["problems"]?.arrayValue ?? []
        #expect(
            problems.count == 9_899 && problems.allSatisfy { $0["kind"] == "missing_blocker" && $0["line"] == 9 },
            "blocked_by is on line 9 once orange has rewritten the file")
    }

    @Test func aThousandLevelDelegationChainIsShownAndCompletesInOnePass() throws {
        let h = try OrangeHarness()
        let repo = try h.makeProject("coffee")
        let n = 1_000
        for i in 0..<n {
            try writeTask(
                h, "C\(i)",
                [
                    "status: \(i == n - 1 ? "working" : "delegated")",
                    "parent: \(i > 0 ? "C\(i - 1)" : "null")",
                    "children: [\(i < n - 1 ? "C\(i + 1)" : "")]",
                ])
        }
        let tree = try run(h, ["task", "list", "--tree"], in: repo).split(separator: "\n")
        #expect(tree.count == n + 1)
        #expect(tree.last?.contains("[\(n)] ● C\(n - 1)  working") == true, "\(tree.last ?? "")")
        #expect(try run(h, ["task", "why", "C0"], in: repo).split(separator: "\n").count == n + 2)
        #expect(try h.orange(["doctor"]).exitCode == 0)
        // The leaf is done: every level above it completes, children first, in this one command.
        let done = try run(h, ["task", "update", "C\(n - 1)", "--status", "done", "--as", "human"], in: repo)
        #expect(done.split(separator: "\n").filter { $0.contains("delegated → done") }.count == n - 1, "\(done.suffix(300))")
        let root = try h.json(["task", "show", "C0"])
        #expect(root["task"]?["status"] == "done")
        #expect(
            root["history"]?.arrayValue?.contains { $0["type"] == "status.changed" && $0["cause"] == "all 1 children done" } == true,
            "\(root["history"] ?? .null)")
    }
}
