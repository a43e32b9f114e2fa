import Dispatch
import Glibc
import OrangeCore
import OrangeSystem
import OrangeTestSupport
import Testing

/// Commands' reads answered by a running `orange watch` over `engine.sock`, and the fallback to
/// the scan (docs/watcher.md, "Answers from the running engine"). `ORANGE_ENGINE_READS=required`
/// makes a command fail when no engine answered, so a test knows which side answered;
/// `ORANGE_ENGINE_READS=off` reads the tree although an engine runs.
@Suite(.serialized)
struct EngineReadsEndToEndTests {
    func run(_ h: OrangeHarness, _ args: [String], in repo: String, reads: String = "required") throws -> ProcessResult {
        try h.orange(args, in: repo, extraEnvironment: ["ORANGE_ENGINE_READS": reads])
    }

    /// Held tasks: nothing is ever spawned, so neither side writes while the other reads.
    func makeTasks(_ h: OrangeHarness, in repo: String, reads: String) throws -> (a: String, b: String) {
        let a = try #require(
            try JSONValue.parse(try run(h, ["task", "create", "a-db", "schema", "--hold", "--json"], in: repo, reads: reads).stdout)[
                "task"]?["id"]?
                .stringValue)
        let b = try #require(
            try JSONValue.parse(
                try run(h, ["task", "create", "a-api", "api", "--hold", "--blocked-by", a, "--json"], in: repo, reads: reads).stdout)[
                    "task"]?["id"]?
                .stringValue)
        return (a, b)
    }

    static let reads: [[String]] = [
        ["task", "list", "--json"], ["task", "list", "--ready"], ["task", "list", "--blocked", "--json"], ["task", "list", "--tree"],
        ["task", "list", "--status", "pending", "--json"], ["graph"], ["graph", "--format", "mermaid", "--json"],
    ]

    @Test func aWriteIsReadBackThroughTheEngineAtOnceAndEqualsTheScan() throws {
        let h = try OrangeHarness()
        let repo = try h.makeProject("shop")
        let pid = try h.startWatch(in: repo)
        defer { h.stopWatch(pid) }
        // Owner-only, in the owner-only data folder.
        let socket = try #require(FileSystem.status(h.home + "/engine.sock"))
        #expect(socket.mode & 0o777 == 0o600)

        // create: its checks and its reconcile through the engine.
        let (a, b) = try makeTasks(h, in: repo, reads: "required")
        // Written, then read at once: the answer reflects the write.
        let update = try run(h, ["task", "update", a, "--description", "tables and indexes"], in: repo)
        #expect(update.exitCode == 0, "\(update.stderr)")
        let listed = try JSONValue.parse(try run(h, ["task", "list", "--json"], in: repo).stdout)
        #expect(listed["tasks"]?.arrayValue?.first { $0["id"]?.stringValue == a }?["description"] == "tables and indexes")
        let shown = try JSONValue.parse(try run(h, ["task", "show", b, "--json"], in: repo).stdout)
        #expect(shown["task"]?["blocked_by"] == .array([.string(a)]) && shown["task"]?["ready"] == false)
        #expect(try run(h, ["task", "why", b], in: repo).stdout == (try run(h, ["task", "why", b], in: repo, reads: "off").stdout))
        // The checks of update through the engine: a cycle is refused with the scan's words.
        let cycle = try run(h, ["task", "update", a, "--blocked-by", b], in: repo)
        let cycleByScan = try run(h, ["task", "update", a, "--blocked-by", b], in: repo, reads: "off")
        #expect(cycle.exitCode == 1 && cycle.stderr.contains("cycle"))
        #expect(cycle.stderr == cycleByScan.stderr)
        let missing = try run(h, ["task", "create", "x", "--blocked-by", "nosuchtask"], in: repo)
        #expect(missing.exitCode == 1 && missing.stderr.contains("does not exist"))
        // A hand edit (rename-over save), read at once through the engine.
        try h.renameOverSave(a, project: "shop") { $0.replacing("description: tables and indexes", with: "description: edited by hand") }
        #expect(try run(h, ["task", "show", a], in: repo).stdout.contains("edited by hand"))
        // A deletion (believed by the engine only after its quiet period), read at once.
        try FileSystem.removeTree(h.home + "/tasks/shop/" + b)
        #expect(!(try run(h, ["task", "list"], in: repo).stdout.contains(b)))

        for args in Self.reads {
            let engine = try run(h, args, in: repo)
            let scan = try run(h, args, in: repo, reads: "off")
            #expect(engine.exitCode == 0 && engine.stdout == scan.stdout, "\(args): \(engine.stdout) \(engine.stderr) vs \(scan.stdout)")
        }
    }

    @Test func killingTheEngineFallsBackToTheScanWithTheSameAnswer() throws {
        let h = try OrangeHarness()
        let repo = try h.makeProject("shop")
        let pid = try h.startWatch(in: repo)
        _ = try makeTasks(h, in: repo, reads: "required")
        let answers = try Self.reads.map { try run(h, $0, in: repo).stdout }

        _ = try h.runner.run(["kill", "-KILL", pid])
        _ = try h.runner.run(["sh", "-c", "while kill -0 \(pid) 2>/dev/null; do sleep 0.02; done"])
        // Its socket file is left behind; nobody listens on it.
        #expect(FileSystem.status(h.home + "/engine.sock") != nil)
        #expect(try run(h, ["task", "list"], in: repo).exitCode == 1)
        for (args, answer) in zip(Self.reads, answers) {
            let scan = try run(h, args, in: repo, reads: "on")
            #expect(scan.exitCode == 0 && scan.stdout == answer, "\(args)")
        }
        // Writes work without it: their checks and reconcile read the tree.
        #expect(try run(h, ["task", "create", "c-ui", "--hold"], in: repo, reads: "on").exitCode == 0)
    }

    @Test func anotherProtocolVersionOrNoAnswerInTimeFallsBackToTheScan() throws {
        let h = try OrangeHarness()
        let repo = try h.makeProject("shop")
        _ = try makeTasks(h, in: repo, reads: "off")
        let expected = try run(h, ["task", "list", "--json"], in: repo, reads: "off").stdout
        let clock = SystemClock()

        // A server of another version: its answer is not believed.
        let other = try UnixLineServer(path: h.home + "/engine.sock") { _ in #"{"v":999,"answer":{"text":"forged"}}"# }
        let mismatch = try run(h, ["task", "list", "--json"], in: repo, reads: "on")
        #expect(mismatch.stdout == expected)
        #expect(try run(h, ["task", "list"], in: repo).exitCode == 1)
        other.stop()

        // A server that never answers: the command waits about 2 s, then scans.
        let stuck = try UnixLineServer(path: h.home + "/engine.sock") { _ in
            usleep(6_000_000)
            return ""
        }
        defer { stuck.stop() }
        let started = clock.monotonicNanoseconds()
        let late = try run(h, ["task", "list", "--json"], in: repo, reads: "on")
        let seconds = Double(clock.monotonicNanoseconds() - started) / 1e9
        #expect(late.stdout == expected)
        #expect(seconds < 5.5, "the fallback took \(seconds) s")
    }

    /// The server answers only its own user, even when someone widened the folder's and the
    /// socket's permissions.
    @Test(
        .enabled(
            if: geteuid() == 0 && FileSystem.fileExists("/usr/bin/setpriv") && FileSystem.fileExists("/usr/bin/python3"),
            "needs root and setpriv"))
    func anotherUserGetsNoAnswer() throws {
        let h = try OrangeHarness()
        let repo = try h.makeProject("shop")
        let pid = try h.startWatch(in: repo)
        defer { h.stopWatch(pid) }
        _ = try makeTasks(h, in: repo, reads: "required")
        for path in [h.directory.path, h.home] { chmod(path, 0o755) }
        chmod(h.home + "/engine.sock", 0o666)
        chmod(h.home + "/tasks", 0o777)
        let request = EngineReadProtocol.encode(.init(token: "read-1-1", kind: .list, arguments: .object([])))
        let script = """
            import socket, sys
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.settimeout(5)
            s.connect(sys.argv[1])
            try:
                s.sendall(sys.argv[2].encode() + b"\\n")
                print(repr(s.recv(100)))
            except (ConnectionResetError, BrokenPipeError):  # closed unread: the same refusal
                print("b''")
            """
        let result = try h.runner.run(
            [
                "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "/usr/bin/python3", "-c", script, h.home + "/engine.sock",
                request,
            ])
        #expect(result.stdout.trimmingSpaces() == "b''", "\(result.stderr)")
    }
}
