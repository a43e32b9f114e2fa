import Foundation
import Glibc
import OrangeCore
import OrangeSystem
import Synchronization
import Testing

/// A throwaway orange data tree: `<tmp>/orange/tasks`, plus `<tmp>/outside` for moves in and out.
/// Everything is removed when the value goes away.
final class InotifyTempTree {
    let base: String
    let root: String
    var tasks: String { root + "/tasks" }
    var outside: String { base + "/outside" }

    /// `inMemory`: under /dev/shm (tmpfs) when it is writable. For trees of thousands of folders:
    /// on this VM's disk, making and removing 10,000 task folders takes about 40 s, on tmpfs under
    /// 2 s, and inotify reports the same events on both.
    init(inMemory: Bool = false) throws {
        let parent = inMemory && access("/dev/shm", W_OK) == 0 ? "/dev/shm" : NSTemporaryDirectory()
        var template = Array((parent + "/orange-inotify-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else { throw InotifyTestFailure("mkdtemp failed: \(errno)") }
        let resolved = realpath(made, nil)!
        base = String(cString: resolved)
        free(resolved)
        root = base + "/orange"
        try makeDirectory(root)
        try makeDirectory(root + "/tasks")
        try makeDirectory(base + "/outside")
    }

    deinit { try? FileManager.default.removeItem(atPath: base) }

    func path(_ relative: String) -> String { tasks + "/" + relative }

    /// `mkdir` of one folder (the parent must exist).
    func makeDirectory(_ path: String) throws {
        guard mkdir(path, 0o755) == 0 else { throw InotifyTestFailure("mkdir \(path): errno \(errno)") }
    }

    /// A project with `count` tasks named `t0`..., each holding a TASK.md.
    func makeProject(_ project: String, tasks count: Int) throws {
        try makeDirectory(path(project))
        for index in 0..<count {
            try makeDirectory(path("\(project)/t\(index)"))
            try writeInPlace(path("\(project)/t\(index)/TASK.md"), "id: t\(index)\n")
        }
    }
}

/// A temp tree and a started watcher on it. Tests reach both through the fixture, so the tree
/// (removed in `deinit`) lives as long as the watcher is used.
final class InotifyFixture {
    let tree: InotifyTempTree
    let watcher: TaskTreeWatcher
    let startHints: [WatchHint]

    init(_ tree: InotifyTempTree, logger: (any Logger)? = nil) throws {
        self.tree = tree
        watcher = try TaskTreeWatcher(root: tree.root, logger: logger)
        startHints = try watcher.start()
    }
}

/// Keeps the messages logged by the watcher.
final class InotifyRecordingLogger: Logger {
    private let lines = Mutex<[String]>([])

    func log(_ level: LogLevel, _ component: String, _ message: String, _ context: [(String, JSONValue)]) {
        let fields = context.map { "\($0.0)=\($0.1)" }.joined(separator: " ")
        lines.withLock { $0.append("\(level.name) \(component) \(message) \(fields)") }
    }

    var messages: [String] { lines.withLock { $0 } }
}

struct InotifyTestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// open(O_TRUNC) + write + close: MODIFY then CLOSE_WRITE.
func writeInPlace(_ path: String, _ text: String) throws {
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
    guard fd >= 0 else { throw InotifyTestFailure("open \(path): errno \(errno)") }
    defer { close(fd) }
    try writeAll(fd, text)
}

func writeAll(_ fd: Int32, _ text: String) throws {
    var bytes = Array(text.utf8)[...]
    while !bytes.isEmpty {
        let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        if n < 0 && errno == EINTR { continue }
        guard n > 0 else { throw InotifyTestFailure("write: errno \(errno)") }
        bytes = bytes.dropFirst(n)
    }
}

/// Temp file + rename over the target, as orange's own atomic writer and most editors do.
func writeByRename(_ path: String, _ text: String, tempName: String = ".TASK.md.tmp") throws {
    let directory = String(path[..<path.lastIndex(of: "/")!])
    let temp = directory + "/" + tempName
    try writeInPlace(temp, text)
    guard rename(temp, path) == 0 else { throw InotifyTestFailure("rename \(temp): errno \(errno)") }
}

func renamePath(_ from: String, _ to: String) throws {
    guard rename(from, to) == 0 else { throw InotifyTestFailure("rename \(from) -> \(to): errno \(errno)") }
}

func removeTree(_ path: String) throws {
    try FileManager.default.removeItem(atPath: path)
}

/// Reads a file (open, read, close), as a sweep would.
func readWhole(_ path: String) -> String? {
    guard let data = FileManager.default.contents(atPath: path) else { return nil }
    return String(decoding: data, as: UTF8.self)
}

/// Runs `body` on its own thread; `isDone` turns true when it returns.
final class InotifyBackgroundWriter: Sendable {
    private let done = Atomic<Bool>(false)
    private let failure = Mutex<String?>(nil)

    init(_ body: @escaping @Sendable () throws -> Void) {
        let thread = Thread { [self] in
            do { try body() } catch { failure.withLock { $0 = "\(error)" } }
            done.store(true, ordering: .releasing)
        }
        thread.start()
    }

    var isDone: Bool { done.load(ordering: .acquiring) }
    var error: String? { failure.withLock { $0 } }
}

extension TaskTreeWatcher {
    /// `syncAndDrain` with a deadline far enough away for a loaded CI machine (only a failure waits for it).
    func sync(seconds: Int = 20) throws -> [WatchHint] {
        try syncAndDrain(deadline: .after(milliseconds: seconds * 1000))
    }

    /// Syncs repeatedly while `writer` runs, then once more after it finished; returns everything.
    func drain(while writer: InotifyBackgroundWriter, seconds: Int = 10) throws -> [WatchHint] {
        let deadline = PollLoop.Deadline.after(milliseconds: seconds * 1000)
        var hints: [WatchHint] = []
        while !writer.isDone {
            hints += try syncAndDrain(deadline: deadline)
        }
        return hints + (try syncAndDrain(deadline: deadline))
    }
}

/// The tasks a list of hints says exist now or were written (`project/task`).
func tasksSeen(_ hints: [WatchHint]) -> Set<String> {
    var seen: Set<String> = []
    for hint in hints {
        if case .taskFile(let project, let task, let kind) = hint, kind != .removed, kind != .attributes {
            seen.insert(project + "/" + task)
        }
    }
    return seen
}

/// The file hints about one task, in order.
func fileKinds(_ hints: [WatchHint], _ project: String, _ task: String) -> [WatchHintKind] {
    hints.compactMap {
        if case .taskFile(project, task, let kind) = $0 { return kind }
        return nil
    }
}

/// Every `project/task` with a TASK.md under `tasks`, from a fresh walk of the folder.
func freshScan(_ tasksPath: String) -> Set<String> {
    var found: Set<String> = []
    let fm = FileManager.default
    for project in (try? fm.contentsOfDirectory(atPath: tasksPath)) ?? [] where !project.hasPrefix(".") {
        for task in (try? fm.contentsOfDirectory(atPath: tasksPath + "/" + project)) ?? [] where !task.hasPrefix(".") {
            if fm.fileExists(atPath: "\(tasksPath)/\(project)/\(task)/TASK.md") { found.insert("\(project)/\(task)") }
        }
    }
    return found
}
