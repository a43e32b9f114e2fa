import Glibc
import OrangeCore
import Testing

@testable import OrangeSystem

/// The watch loop of `orange watch` in miniature, for real-kernel tests: a watcher, a reducer,
/// and answers to every action the reducer asks for. A read answers with the file's content hash
/// (any bytes count as parsed: these tests are about events, not the TASK.md format), and the
/// "graph" is what the reducer's batches said, key → content hash.
final class WatchLoopDriver {
    let watcher: TaskTreeWatcher
    private(set) var reducer: WatchReducer
    /// What the batches reported so far: the state a consumer of the reducer would hold.
    private(set) var graph: [TaskKey: UInt64] = [:]
    private let loop: PollLoop
    /// Hints per `readHints` call: 1 makes each batch a single `read()` (F8).
    let readsPerBatch: Int

    init(_ watcher: TaskTreeWatcher, readsPerBatch: Int = 256) throws {
        self.watcher = watcher
        self.readsPerBatch = readsPerBatch
        loop = try PollLoop()
        // No periodic sweep: these tests check what events and resyncs achieve on their own.
        reducer = WatchReducer(configuration: WatchConfiguration(sweepInterval: nil), now: Self.now())
    }

    static func now() -> UInt64 { PollLoop.Deadline.now().nanoseconds }

    /// Feeds events and performs the actions they cause, until nothing is left.
    func feed(_ events: [WatchEvent]) {
        var queue = events[...]
        while let next = queue.popFirst() {
            for action in reducer.handle(next, now: Self.now()) {
                queue += perform(action)
            }
        }
    }

    /// Reads what is queued now (at most `readsPerBatch` buffers) and feeds it.
    func pump() throws {
        feed([.hints(try watcher.readHints(maxReads: readsPerBatch))])
    }

    /// Waits up to `deadline` for events or the reducer's next timer, and handles what came.
    func step(until deadline: PollLoop.Deadline) throws {
        let timer = reducer.nextDeadline.map { PollLoop.Deadline(nanoseconds: $0) }
        let outcome = try loop.wait(on: [watcher.fileDescriptor], until: min(timer ?? deadline, deadline))
        if outcome.readable.isEmpty { feed([.tick]) } else { try pump() }
    }

    /// Syncs with the kernel (cookie), then runs the reducer until it has settled: afterwards
    /// `graph` reflects every change made before the call.
    func syncAndSettle(seconds: Int = 20) throws {
        let deadline = PollLoop.Deadline.after(milliseconds: seconds * 1000)
        feed([.hints(try watcher.syncAndDrain(deadline: deadline))])
        while !reducer.isSettled {
            if deadline.hasPassed { throw InotifyTestFailure("the reducer did not settle: \(reducer.state)") }
            try step(until: deadline)
        }
    }

    private func perform(_ action: WatchAction) -> [WatchEvent] {
        switch action {
        case .read(let key):
            return [.fileRead(key, Self.read(watcher.tasksPath, key))]
        case .stat(let key):
            return [.statResult(key, TaskFileReader.fingerprint(TaskFileReader.file(key, tasksRoot: watcher.tasksPath)))]
        case .fullResync:
            let found = watcher.resync().filter { if case .taskFile(_, _, .appeared) = $0 { true } else { false } }
            return [.hints(found), .resyncFinished]
        case .sweep:
            let keys = Self.scanHashes(watcher.tasksPath).keys.sorted()
            return keys.map { .statResult($0, TaskFileReader.fingerprint(TaskFileReader.file($0, tasksRoot: watcher.tasksPath))) }
                + [.sweepFinished]
        case .graphChanged(let changes):
            for (key, change) in changes {
                switch change {
                case .updated(let hash): graph[key] = hash
                case .removed: graph[key] = nil
                case .invalid: Issue.record("no file here is invalid: \(key)")
                }
            }
            return []
        case .actionsAllowed, .diagnostic:
            return []
        }
    }

    /// lstat, then the bytes and their hash; any content counts as a good parse.
    static func read(_ tasksPath: String, _ key: TaskKey) -> FileReadResult {
        let path = TaskFileReader.file(key, tasksRoot: tasksPath)
        guard let fingerprint = TaskFileReader.fingerprint(path) else { return .missing }
        guard let bytes = try? FileSystem.readBytes(path) else { return .missing }
        return .parsed(fingerprint: fingerprint, contentHash: TaskFileReader.contentHash(bytes))
    }

    /// A fresh scan of the tree: every `project/task/TASK.md` and the hash of its bytes.
    static func scanHashes(_ tasksPath: String) -> [TaskKey: UInt64] {
        var found: [TaskKey: UInt64] = [:]
        for name in freshScan(tasksPath) {
            let parts = name.split(separator: "/").map(String.init)
            let key = TaskKey(project: parts[0], taskID: parts[1])
            if let bytes = try? FileSystem.readBytes(TaskFileReader.file(key, tasksRoot: tasksPath)) {
                found[key] = TaskFileReader.contentHash(bytes)
            }
        }
        return found
    }
}

/// How a consumer's state differs from a fresh scan, in a few words ("" when it does not): keys
/// missing, extra, or with other content. Printing whole states would bury the answer.
func graphDifference(_ graph: [TaskKey: UInt64], _ fresh: [TaskKey: UInt64]) -> String {
    let missing = Set(fresh.keys).subtracting(graph.keys).sorted()
    let extra = Set(graph.keys).subtracting(fresh.keys).sorted()
    let stale = fresh.keys.filter { graph[$0] != nil && graph[$0] != fresh[$0] }.sorted()
    guard !missing.isEmpty || !extra.isEmpty || !stale.isEmpty else { return "" }
    func show(_ keys: [TaskKey]) -> String { "\(keys.count) \(keys.prefix(3).map { String($0.description.suffix(40)) })" }
    return "missing \(show(missing)); extra \(show(extra)); stale content \(show(stale))"
}
