import Dispatch
import Foundation
import Glibc
import OrangeCore
import OrangeSystem
import OrangeTestSupport
import Synchronization
import Testing

@testable import OrangeApp

/// A real `ORANGE_HOME` in a temporary folder, with the real stores, for running `WatchEngine`
/// in process. Nothing here starts an agent: the tests use tasks that are never ready.
final class EngineHome: @unchecked Sendable {
    // Immutable after init; @unchecked because TemporaryDirectory is a class.
    let directory: TemporaryDirectory
    let home: String
    let context: AppContext
    var tasks: String { home + "/tasks" }

    init() throws {
        directory = try TemporaryDirectory(prefix: "orange-engine")
        home = directory.path
        let layout = DataDirectory(home: home)
        let clock = SystemClock()
        let runner = ProcessRunner()
        let ids = SystemTaskIDs()
        context = AppContext(
            home: home, tasks: FileTaskStore(layout: layout), projects: FileProjectStore(path: layout.projectsFile),
            clock: clock, newTaskID: { ids.next() }, git: RealGit(runner: runner),
            // A socket no server listens on: any tmux call by mistake finds nothing.
            tmux: RealTmux(runner: runner, socket: "orange-engine-test-\(getpid())"), pool: FilePoolStore(layout: layout),
            harnesses: { try HarnessConfiguration.load(layout.configFile) }, isInstalled: { _ in false },
            executablePath: "/bin/false", runInteractive: { _ in 1 },
            logger: FileLogger(path: layout.logFile, minimumLevel: .info, clock: clock),
            workingDirectory: home, environment: [:], readStandardInput: { "" }, confirm: { _ in false },
            realPath: { FileSystem.realPath($0) }, diagnostics: { _ in }, readFile: { try? FileSystem.readText($0) })
    }

    deinit { directory.remove() }

    /// A task file for `id` in `project` (status `reviewing`: never spawned, never completed).
    func record(_ id: String, project: String = "p", description: String = "task") -> TaskRecord {
        TaskRecord(
            id: TaskID(validating: id)!, project: ProjectName(validating: project)!, branch: "b-\(id)",
            status: .reviewing, description: description, createdAt: Timestamp(millisecondsSinceEpoch: 0), body: "## Notes\n")
    }

    /// Creates the task folder and writes its TASK.md in place (CREATE, MODIFY, CLOSE_WRITE).
    func create(_ record: TaskRecord) throws {
        let folder = "\(tasks)/\(record.project)/\(record.id)"
        try FileSystem.makeDirectories(folder)
        try writeFile(folder + "/TASK.md", record.rendered())
    }

    /// A rename-over save without fsync (fast enough for thousands): temp file, then rename
    /// (CREATE, MODIFY, CLOSE_WRITE, MOVED_FROM, MOVED_TO: five events).
    func save(_ record: TaskRecord) throws {
        let folder = "\(tasks)/\(record.project)/\(record.id)"
        try writeFile(folder + "/.TASK.md.tmp", record.rendered())
        try FileSystem.rename(folder + "/.TASK.md.tmp", to: folder + "/TASK.md")
    }

    /// The tasks a fresh scan of the files finds, by id, as the engine holds them (no body).
    func freshTasks() throws -> [TaskID: TaskRecord] {
        Dictionary(uniqueKeysWithValues: try context.stores.tasks.scan(project: nil).tasks.map { ($0.id, $0.withoutBody) })
    }
}

struct EngineTestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// open(O_TRUNC) + write + close, with no fsync.
func writeFile(_ path: String, _ text: String) throws {
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
    guard fd >= 0 else { throw SystemError.current("open", path: path) }
    defer { close(fd) }
    let bytes = Array(text.utf8)
    guard bytes.withUnsafeBytes({ write(fd, $0.baseAddress, $0.count) }) == bytes.count else {
        throw SystemError.current("write", path: path)
    }
}

/// `WatchEngine.run()` on its own thread. The engine is created and run on that thread (it is
/// not Sendable); the test talks to it only through files, the stop handle and the snapshot
/// taken once `run()` returned.
final class RunningEngine: Sendable {
    let home: EngineHome
    private let stopHandle: WatchEngine.StopHandle
    private let finished = DispatchSemaphore(value: 0)
    private let shared = Shared()

    /// What the engine's thread hands back (a class: `Mutex` itself cannot be captured by copy).
    private final class Shared: Sendable {
        let outcome = Mutex<(snapshot: WatchEngine.Snapshot?, error: String?)>((nil, nil))
        let lines = Mutex<[String]>([])
    }

    /// Starts the engine and waits until it answers a sync (it is watching).
    init(
        _ home: EngineHome, options: WatchEngine.Options,
        beforeReconcile: @escaping @Sendable () -> Void = {}, afterGraphUpdate: @escaping @Sendable () -> Void = {}
    ) throws {
        self.home = home
        var scoped = options
        scoped.handlesSignals = false
        let options = scoped
        let started = DispatchSemaphore(value: 0)
        let handle = Mutex<WatchEngine.StopHandle?>(nil)
        let shared = self.shared
        let finished = self.finished
        let thread = Thread {
            do {
                let engine = try WatchEngine(
                    context: home.context, options: options,
                    hooks: WatchEngine.Hooks(beforeReconcile: beforeReconcile, afterGraphUpdate: afterGraphUpdate),
                    print: { line in shared.lines.withLock { $0.append(line) } })
                handle.withLock { $0 = engine.stopHandle }
                started.signal()
                _ = try engine.run()
                shared.outcome.withLock { $0.snapshot = engine.snapshot() }
            } catch {
                shared.outcome.withLock { $0.error = "\(error)" }
                started.signal()
            }
            finished.signal()
        }
        thread.start()
        started.wait()
        guard let stopHandle = handle.withLock({ $0 }) else {
            throw EngineTestFailure("the engine did not start: \(shared.outcome.withLock { $0.error } ?? "")")
        }
        self.stopHandle = stopHandle
        // A cookie dropped before the engine's watches exist is never seen: ask again until one
        // is answered, as the end-to-end tests do with `orange watch sync`.
        let deadline = PollLoop.Deadline.after(milliseconds: 30_000)
        while (try? sync(seconds: 1)) == nil {
            if deadline.hasPassed { throw EngineTestFailure("the engine never answered a sync") }
        }
    }

    /// What the engine printed so far.
    var output: [String] { shared.lines.withLock { $0 } }

    /// `orange watch sync` in process: drops a sync cookie and waits (with a deadline) for the
    /// engine's answer, which comes once every earlier event is applied, the reducer has settled
    /// and no reconcile runs.
    func sync(seconds: Double = 30) throws {
        let token = "\(getpid())-\(UInt64.random(in: 0...UInt64.max))"
        let done = home.home + "/.sync-\(token).done"
        try FileSystem.makeDirectories(home.tasks)
        try FileSystem.createEmptyFile(home.tasks + "/" + TaskTreeNames.syncCookieFileName(token: token))
        let deadline = PollLoop.Deadline.after(milliseconds: Int(seconds * 1000))
        while !FileSystem.fileExists(done) {
            if deadline.hasPassed || shared.outcome.withLock({ $0.error }) != nil {
                throw EngineTestFailure("no answer to sync \(token): \(shared.outcome.withLock { $0.error } ?? "timed out")")
            }
            usleep(2_000)  // how often to look for the answer, as `orange watch sync` does
        }
        try? FileSystem.removeTree(done)
    }

    /// Stops the engine and returns what it held.
    func stop() throws -> WatchEngine.Snapshot {
        stopHandle.stop()
        guard finished.wait(timeout: .now() + 30) == .success else {
            throw EngineTestFailure("the engine did not stop within 30 s")
        }
        let result = shared.outcome.withLock { $0 }
        guard let snapshot = result.snapshot else {
            throw EngineTestFailure("the engine failed: \(result.error ?? "no snapshot")")
        }
        return snapshot
    }
}
