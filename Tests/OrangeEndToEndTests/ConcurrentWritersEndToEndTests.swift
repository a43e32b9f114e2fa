import Dispatch
import OrangeCore
import OrangeSystem
import OrangeTestSupport
import Synchronization
import Testing

struct EditorError: Error { var text: String }

/// Many writers on one TASK.md at once: `orange task update` processes, orange's store from
/// other threads, and an editor saving by rename. `ORANGE_STRESS=1` runs ten times as many.
///
/// What "no lost update" means: every orange write is a read-modify-write under the task's
/// `flock`, so no orange write loses another orange write, and no write is ever torn. A writer
/// that bypasses the lock (an editor saving by rename) replaces the whole file with what it read
/// plus its change: it can undo an orange write that landed after its read, and orange can undo
/// its change if it lands between orange's read and orange's rename. That is inherent to a
/// writer that takes no lock; what orange guarantees there is only that each file is whole, and
/// that the body and your own keys survive both kinds of writer.
@Suite(.serialized) struct ConcurrentWritersEndToEndTests {
    static var scale: Int { CrashLoop.stress ? 10 : 1 }

    struct Setup {
        let h: OrangeHarness
        let id: TaskID
        let project = ProjectName(validating: "coffee")!
        let file: String
        let body = "## Notes\n\nbody kept byte for byte: `$(x)` ---\n"
    }

    /// A task that never spawns (blocked by a task in review), with a key of the user's and a body.
    func setUp() throws -> Setup {
        let h = try OrangeHarness()
        let repo = try h.makeProject("coffee")
        let blocker = try #require(
            try h.task(["task", "create", "b", "blocker", "--no-spawn", "--status", "reviewing"], in: repo)["id"]?.stringValue)
        let id = try #require(
            try h.task(["task", "create", "t", "target", "--no-spawn", "--blocked-by", blocker], in: repo)["id"]?.stringValue)
        let setup = Setup(h: h, id: TaskID(validating: id)!, file: h.home + "/tasks/coffee/\(id)/TASK.md")
        let text = try FileSystem.readText(setup.file)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let close = try #require(lines.indices.dropFirst().first { lines[$0] == "---" })
        lines[close...] = ["mine: keep", "---"]
        try AtomicFile.write(lines.joined(separator: "\n") + "\n" + setup.body, to: setup.file)
        return setup
    }

    /// `orange task update --description d<k>` run `count` times in a row by one process; returns
    /// the k of each acknowledged (exit 0) update.
    func cliLoop(_ s: Setup, count: Int) throws -> [Int] {
        let update = ShellQuoting.commandLine([OrangeHarness.binary, "task", "update", s.id.rawValue])
        let script = "k=1; while [ $k -le \(count) ]; do \(update) --description d$k >/dev/null 2>&1 && echo $k; k=$((k+1)); done"
        let result = try s.h.runner.run(["sh", "-c", script], environment: s.h.environment, input: nil, timeoutSeconds: 600)
        return result.stdout.split(separator: "\n").compactMap { Int($0) }
    }

    /// Orange's own store from this process: sets `pr_url` to …/<k>, `count` times.
    func storeLoop(_ s: Setup, count: Int) throws {
        let store = FileTaskStore(layout: DataDirectory(home: s.h.home))
        for k in 1...count { _ = try store.update(s.id, in: s.project) { $0.prURL = "https://example.invalid/pr/\(k)" } }
    }

    /// An editor saving by rename, without orange's lock: sets its own key `editor: <k>`.
    func editorLoop(_ s: Setup, count: Int) throws {
        for k in 1...count {
            let text = try FileSystem.readText(s.file)
            var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            lines.removeAll { $0.hasPrefix("editor: ") }
            guard let close = lines.indices.dropFirst().first(where: { lines[$0] == "---" }) else {
                throw EditorError(text: text)
            }
            lines.insert("editor: \(k)", at: close)
            let temporary = s.file + ".editor-tmp"
            try AtomicFile.write(lines.joined(separator: "\n"), to: temporary)
            try FileSystem.rename(temporary, to: s.file)
        }
    }

    /// Runs the loops on their own threads and collects their errors.
    func together(_ loops: [@Sendable () throws -> Void]) -> [String] {
        let errors = Mutex<[String]>([])
        DispatchQueue.concurrentPerform(iterations: loops.count) { index in
            do { try loops[index]() } catch { errors.withLock { $0.append("\(error)") } }
        }
        return errors.withLock { $0 }
    }

    /// Orange writers only: the final file is exactly the replay of the acknowledged writes.
    @Test func orangeWritersNeverLoseAnUpdate() throws {
        let s = try setUp()
        let cli = Mutex<[Int]>([])
        let count = 60 * Self.scale, storeCount = 470 * Self.scale
        let errors = together([
            {
                let acked = try cliLoop(s, count: count); cli.withLock { $0 = acked }
            },
            { try storeLoop(s, count: storeCount) },
            { try storeLoop(s, count: storeCount) },
        ])
        #expect(errors.isEmpty, "\(errors)")
        let acked = cli.withLock { $0 }
        #expect(acked == Array(1...count), "every update is acknowledged (the lock waits): \(acked.count) of \(count)")
        let record = try #require(try FileTaskStore(layout: DataDirectory(home: s.h.home)).find(s.id))
        #expect(record.description == "d\(count)")
        #expect(record.prURL == "https://example.invalid/pr/\(storeCount)")
        #expect(record.body == s.body)
        #expect(try FileSystem.readText(s.file).contains("\nmine: keep\n"))
    }

    /// With an editor saving by rename in the mix: every file is whole, the body and the user's
    /// key survive, and each field holds a value one of its writers wrote (never a mix or nothing).
    @Test func anEditorSavingByRenameNeverTearsTheFileOrLosesTheBody() throws {
        let s = try setUp()
        let cli = Mutex<[Int]>([])
        let count = 60 * Self.scale, storeCount = 300 * Self.scale, editorCount = 640 * Self.scale
        let errors = together([
            {
                let acked = try cliLoop(s, count: count); cli.withLock { $0 = acked }
            },
            { try storeLoop(s, count: storeCount) },
            { try editorLoop(s, count: editorCount) },
        ])
        #expect(errors.isEmpty, "\(errors)")
        #expect(cli.withLock { $0 } == Array(1...count))
        let record = try #require(try FileTaskStore(layout: DataDirectory(home: s.h.home)).find(s.id))
        #expect(record.body == s.body)
        let text = try FileSystem.readText(s.file)
        #expect(text.contains("\nmine: keep\n"))
        #expect(record.description == "target" || (1...count).map { "d\($0)" }.contains(record.description), "\(record.description)")
        #expect(record.prURL == nil || (1...storeCount).map { "https://example.invalid/pr/\($0)" }.contains(record.prURL!))
        #expect(text.split(separator: "\n").filter { $0.hasPrefix("editor: ") }.count <= 1)
        let doctor = try s.h.orange(["doctor", "--json"])
        #expect(doctor.exitCode == 0, "\(doctor.stdout)")
    }
}
