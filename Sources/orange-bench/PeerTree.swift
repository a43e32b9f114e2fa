@preconcurrency import Glibc
import OrangeCore
import OrangeSystem

/// The tasks tree every watcher is measured on: `tasks/bench/<id>/TASK.md`, kept in git with a
/// second branch for the checkout storm (150 tasks modified, 50 folders new, 30 gone).
///
/// Bulk tasks are `done` and hot tasks flip between `reviewing` and `reviewed`, so a running
/// `orange watch` reports every edit as a status change and never tries to start an agent.
final class PeerTree {
    let root: String
    let hot: [String]
    private(set) var hotStatus: [String: TaskStatus] = [:]
    let stormIDs: [String]
    private var onBranchB = false
    private let git = ProcessRunner()
    private let gitEnvironment = [
        "GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "bench@orange.invalid",
        "GIT_COMMITTER_NAME": "bench", "GIT_COMMITTER_EMAIL": "bench@orange.invalid",
    ]
    static let project = ProjectName(validating: "bench")!

    var tasksRoot: String { root + "/tasks" }
    var folder: String { root + "/tasks/bench" }
    func file(_ id: String) -> String { folder + "/\(id)/TASK.md" }

    init(tasks: Int, hotCount: Int = 50) throws {
        var template = Array("/tmp/orange-peers-XXXXXX".utf8CString)
        root = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)!) }
        hot = (0..<hotCount).map { "h\($0)" }
        stormIDs = (0..<150).map { "t\($0)" } + (0..<50).map { "s\($0)" } + (150..<180).map { "t\($0)" }
        try FileSystem.makeDirectories(folder)
        for i in 0..<max(tasks, 180) { try write("t\(i)", status: .done) }
        for id in hot { try write(id, status: .reviewing) }
        try run(["init", "-q", "-b", "a"])
        try run(["add", "-A"])
        try run(["commit", "-q", "-m", "tasks"])
        try run(["checkout", "-q", "-b", "b"])
        for i in 0..<150 { try write("t\(i)", status: .cancelled) }
        for i in 0..<50 { try write("s\(i)", status: .done) }
        for i in 150..<180 { try FileSystem.removeTree(folder + "/t\(i)") }
        try run(["add", "-A"])
        try run(["commit", "-q", "-m", "storm"])
        try run(["checkout", "-q", "a"])
    }

    deinit { try? FileSystem.removeTree(root) }

    static func text(_ id: String, status: TaskStatus) -> String {
        TaskRecord(
            id: TaskID(validating: id)!, project: project, branch: "b-\(id)", status: status,
            description: "bench task \(id)", createdAt: Timestamp(millisecondsSinceEpoch: 0), body: "## Notes\n\nbench\n"
        ).rendered()
    }

    /// A plain create-or-truncate write, the way git and most tools write files.
    func write(_ id: String, status: TaskStatus) throws {
        try FileSystem.makeDirectories(folder + "/\(id)")
        let fd = open(file(id), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw SystemError.current("open", path: file(id)) }
        defer { close(fd) }
        try AtomicFile.writeAll(fd, Array(Self.text(id, status: status).utf8), path: file(id))
        if hot.contains(id) { hotStatus[id] = status }
    }

    /// The next status of a hot task (each edit is a real status change).
    func flipped(_ id: String) -> TaskStatus {
        hotStatus[id] == .reviewing ? .reviewed : .reviewing
    }

    func noteHotStatus(_ id: String, _ status: TaskStatus) { hotStatus[id] = status }

    /// The tasks the last checkout removed: branch b lacks t150–t179, branch a lacks s0–s49.
    var removedByCheckout: Set<String> {
        Set(onBranchB ? (150..<180).map { "t\($0)" } : (0..<50).map { "s\($0)" })
    }

    /// Checks out the other branch; returns when git has exited.
    func checkoutOther() throws {
        try run(["checkout", "-q", onBranchB ? "a" : "b"])
        onBranchB.toggle()
    }

    private func run(_ arguments: [String]) throws {
        try git.check(["git", "-C", tasksRoot] + arguments, environment: gitEnvironment)
    }
}
