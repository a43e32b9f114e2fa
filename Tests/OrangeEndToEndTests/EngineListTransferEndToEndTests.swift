import Glibc
import OrangeCore
import OrangeSystem
import OrangeTestSupport
import Testing

/// The engine's `--json` list as a user gets it (docs/performance.md, section 6): the engine
/// passes it as a sealed memory file and the command `sendfile`s it to stdout, so the bytes never
/// go through the command. They must be the scan's, byte for byte, whatever stdout is.
@Suite(.serialized)
struct EngineListTransferEndToEndTests {
    /// `count` tasks written straight into the tree (a list of several hundred KB: more than a
    /// pipe holds, so the command's `sendfile` waits for the reader), some with text that is not
    /// ASCII; then one `watch --once`, which notes on the ready ones why no agent starts (none is
    /// installed), so the running engine writes nothing while the test compares.
    func writeTasks(_ h: OrangeHarness, count: Int) throws {
        for index in 0..<count {
            let id = "t\(index)"
            let folder = h.home + "/tasks/shop/" + id
            try FileSystem.makeDirectories(folder)
            let stamp = "'2026-01-01T00:00:\(String(format2(index % 60))).\(String(format3(index % 1000)))Z'"
            let text = """
                ---
                id: \(id)
                project: shop
                branch: b\(index)
                harness: claude
                status: \(index % 3 == 0 ? "done" : "pending")
                description: task \(index) — café ✓ \(String(repeating: "x", count: index % 200))
                parent: null
                blocked_by: [\(index > 2 && index % 2 == 0 ? "t\(index - 1)" : "")]
                children: []
                workspace: null
                tmux_session: null
                created_at: \(stamp)
                updated_at: \(stamp)
                ---
                ## Notes

                bench

                """
            try AtomicFile.write(text, to: folder + "/TASK.md")
        }
        let once = try h.orange(["watch", "--once"])
        #expect(once.exitCode == 0, "\(once.stderr)")
    }

    private func format2(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
    private func format3(_ value: Int) -> String { String(repeating: "0", count: 3 - "\(value)".count) + "\(value)" }

    /// `orange args` answered by the engine, twice (the first may render and keep the list, the
    /// second sends the kept one), through a pipe and into a regular file: each the `scan`'s bytes.
    func expectEngineAnswersTwice(_ h: OrangeHarness, _ args: [String], in repo: String, as scan: String, _ what: String) throws {
        for round in 0..<2 {
            let piped = try h.orange(args, in: repo, extraEnvironment: ["ORANGE_ENGINE_READS": "required"])
            #expect(piped.exitCode == 0 && piped.stdout == scan, "\(what), round \(round), through a pipe: \(piped.stderr)")
            let file = h.directory.path + "/list-\(round).json"
            #expect(try runIntoFile(h, args, reads: "required", file: file) == 0)
            #expect(try FileSystem.readText(file) == scan, "\(what), round \(round), into a file")
        }
    }

    /// Runs `orange args > file` in a shell: stdout a regular file, not a pipe.
    func runIntoFile(_ h: OrangeHarness, _ args: [String], reads: String, file: String) throws -> Int32 {
        var environment = h.environment
        environment["ORANGE_ENGINE_READS"] = reads
        let result = try h.runner.run(
            ["sh", "-c", "\"$0\" \"$@\" > \"$ORANGE_TEST_OUT\"", OrangeHarness.binary] + args,
            environment: environment.merging(["ORANGE_TEST_OUT": file]) { $1 }, input: nil, timeoutSeconds: 60)
        return result.exitCode
    }

    @Test func theEnginesJSONListIsTheScansBytesThroughAPipeAndIntoAFile() throws {
        let h = try OrangeHarness()
        let repo = try h.makeProject("shop")
        try writeTasks(h, count: 600)
        let pid = try h.startWatch(in: repo)
        defer { h.stopWatch(pid) }
        for args in [["task", "list", "--json"], ["task", "list", "--ready", "--json"], ["task", "list", "--status", "done", "--json"]] {
            let scan = try h.orange(args, in: repo, extraEnvironment: ["ORANGE_ENGINE_READS": "off"])
            #expect(scan.exitCode == 0 && scan.stdout.utf8.count > 1000, "\(args): \(scan.stderr)")
            try expectEngineAnswersTwice(h, args, in: repo, as: scan.stdout, "\(args)")
        }
        // After a write the list is written again, and still the scan's.
        let update = try h.orange(["task", "update", "t1", "--description", "changed ✓"], in: repo)
        #expect(update.exitCode == 0, "\(update.stderr)")
        let scan = try h.orange(["task", "list", "--json"], in: repo, extraEnvironment: ["ORANGE_ENGINE_READS": "off"])
        let file = h.directory.path + "/after-write.json"
        #expect(try runIntoFile(h, ["task", "list", "--json"], reads: "required", file: file) == 0)
        #expect(try FileSystem.readText(file) == scan.stdout)
        #expect(scan.stdout.contains("changed ✓"))
    }

    /// An older command (no `descriptor` in its request) gets the list attached to the answer,
    /// as before: the same bytes.
    @Test func aRequestThatTakesNoDescriptorGetsTheListAttached() throws {
        let h = try OrangeHarness()
        let repo = try h.makeProject("shop")
        try writeTasks(h, count: 50)
        let pid = try h.startWatch(in: repo)
        defer { h.stopWatch(pid) }
        let scan = try h.orange(["task", "list", "--json"], in: repo, extraEnvironment: ["ORANGE_ENGINE_READS": "off"]).stdout
        let reads = SocketEngineReads(home: h.home)
        let query: JSONValue = .object([
            ("project", .null), ("statuses", .array([])), ("ready", .bool(false)), ("blocked", .bool(false)), ("tree", .bool(false)),
            ("json", .bool(true)),
        ])
        for _ in 0..<2 {
            let old = try #require(reads.ask(.list, query))
            #expect(old["json_text"]?.stringValue == scan)
            let new = try #require(reads.askForOutput(.list, query, outputKey: "json_text"))
            #expect(new.answer["json_text"] == nil)
            let output = try #require(new.output)
            #expect(output.bytes() == Array(scan.utf8))
        }
    }
}

/// The ready `--json` list kept in chunks (`EngineListChunks`, 512 tasks at least): with 3,000
/// tasks, over 1,024 ready, the engine passes two chunks as two descriptors and the command
/// prints them in order, through a pipe and into a file, kept and after writes to a listed task,
/// to a task not listed and to a blocker (tasks entering the list), each time the scan's bytes.
/// A command that takes one descriptor only (one from before the chunks) still gets the list.
@Suite(.serialized)
struct EngineListChunksEndToEndTests {
    let transfer = EngineListTransferEndToEndTests()

    @Test func theChunkedReadyListIsTheScansBytesAfterEveryWrite() throws {
        let h = try OrangeHarness()
        let repo = try h.makeProject("shop")
        try transfer.writeTasks(h, count: 3000)
        let pid = try h.startWatch(in: repo)
        defer { h.stopWatch(pid) }
        let args = ["task", "list", "--ready", "--json"]
        let query: JSONValue = .object([
            ("project", .null), ("statuses", .array([])), ("ready", .bool(true)), ("blocked", .bool(false)), ("tree", .bool(false)),
            ("json", .bool(true)),
        ])
        func compare(_ what: String) throws {
            let scan = try h.orange(args, in: repo, extraEnvironment: ["ORANGE_ENGINE_READS": "off"])
            #expect(scan.exitCode == 0 && scan.stdout.utf8.count > 500_000, "\(what): \(scan.stderr)")
            // The first brings the chunks up to the graph, the second sends them again.
            try transfer.expectEngineAnswersTwice(h, args, in: repo, as: scan.stdout, what)
            // Asked as the command does: several descriptors, printed part by part.
            let parts = try #require(SocketEngineReads(home: h.home).askForOutput(.list, query, outputKey: "json_text"))
            let output = try #require(parts.output as? SealedFileParts, "\(what): not in parts")
            #expect(output.parts.filter { if case .file = $0 { return true } else { return false } }.count >= 2)
            #expect(output.bytes() == Array(scan.stdout.utf8), "\(what): the parts")
            // Asked as a command from before the chunks: one sealed file, the same bytes.
            let old = try #require(SocketEngineReads(home: h.home, takesParts: false).askForOutput(.list, query, outputKey: "json_text"))
            let file = try #require(old.output as? SealedMemoryFile, "\(what): not one file")
            #expect(file.bytes() == Array(scan.stdout.utf8), "\(what): one file")
        }
        try compare("the first list")
        // t4 is listed (pending, no blocker), t3 is not (done).
        for (id, change) in [("t4", ["--description", "listed ✓"]), ("t3", ["--description", "not listed"])] {
            let update = try h.orange(["task", "update", id] + change, in: repo)
            #expect(update.exitCode == 0, "\(update.stderr)")
            try compare("after \(id) \(change.joined(separator: " "))")
        }
        // t5 done (an editor's save): it leaves the list and t6, which waits for it, enters it;
        // pending again, the other way.
        let t5 = h.home + "/tasks/shop/t5/TASK.md"
        for (from, to) in [("status: pending", "status: done"), ("status: done", "status: pending")] {
            try AtomicFile.write(try FileSystem.readText(t5).replacing(from, with: to), to: t5)
            try compare("t5 \(to)")
        }
    }
}
