// orange-bench: measures the engine's pipeline on this machine and prints Markdown tables for
// docs/performance.md. Run with `swift run -c release orange-bench [--sizes 1000,10000,100000] [--edits 300]`.
//
// Pipeline measured (in process, the same code `orange watch` runs): the inotify task-tree
// watcher, the watch reducer, re-reading and parsing TASK.md, and updating the task graph.
// Latency is from just after the rename of an edited TASK.md to the moment the graph holds the
// new version. A closed loop: one edit, wait for it, a random pause of 0-5 ms, the next edit.
@preconcurrency import Glibc
import OrangeCore
import OrangeSystem

BenchCommands.runIfRequested(Array(CommandLine.arguments.dropFirst()))

var sizes = [1_000, 10_000]
var edits = 300
var arguments = CommandLine.arguments.dropFirst()
while let argument = arguments.popFirst() {
    switch argument {
    case "--sizes": sizes = (arguments.popFirst() ?? "").split(separator: ",").compactMap { Int($0) }
    case "--edits": edits = Int(arguments.popFirst() ?? "") ?? edits
    default: print("usage: orange-bench [--sizes 1000,10000] [--edits 300]"); exit(2)
    }
}

let clock = SystemClock()
func ms(_ ns: UInt64) -> Double { Double(ns) / 1e6 }
func percentile(_ values: [Double], _ p: Double) -> Double {
    let sorted = values.sorted()
    return sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * p).rounded()))]
}
func format(_ value: Double) -> String {
    let hundredths = Int((value * 100).rounded())
    return "\(hundredths / 100).\(String(100 + hundredths % 100).dropFirst())"
}
func residentMegabytes() -> Double {
    let status = (try? FileSystem.readText("/proc/self/status")) ?? ""
    let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
    return Double(line.split(separator: " ").dropFirst().first ?? "0").map { $0 / 1024 } ?? 0
}

let project = ProjectName(validating: "bench")!
func makeTree(_ count: Int, home: String) throws -> [TaskRecord] {
    var rng = SystemRandomNumberGenerator()
    var tasks: [TaskRecord] = []
    for i in 0..<count {
        let id = TaskID(validating: "t\(i)")!
        var blockers: [TaskID] = []
        if i > 0 {
            for _ in 0..<Int.random(in: 0...2, using: &rng) {
                blockers.append(TaskID(validating: "t\(Int.random(in: 0..<i, using: &rng))")!)
            }
        }
        let task = TaskRecord(
            id: id, project: project, branch: "b\(i)", status: i % 3 == 0 ? .done : .pending,
            description: "task \(i)", blockedBy: Array(Set(blockers)).sorted(),
            createdAt: Timestamp(millisecondsSinceEpoch: Int64(i)), body: "## Notes\n\nbench\n")
        // Plain writes, no fsync: the tree is the input, and 100k fsyncs took minutes.
        let folder = "\(home)/tasks/bench/t\(i)"
        try FileSystem.makeDirectories(folder)
        let fd = open(folder + "/TASK.md", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw SystemError.current("open", path: folder) }
        defer { close(fd) }
        try AtomicFile.writeAll(fd, Array(task.rendered().utf8), path: folder + "/TASK.md")
        tasks.append(task)
    }
    return tasks
}

print(
    "| tasks | start-up to ready | edit → graph p50 | p90 | p99 | max | edits | edit → spawn decision p50 | p99 | evaluate one change | RSS |"
)
print("|---|---|---|---|---|---|---|---|---|---|---|")
var reconcileRows: [String] = []
for size in sizes {
    var template = Array("/tmp/orange-bench-XXXXXX".utf8CString)
    let root = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)!) }
    defer { try? FileSystem.removeTree(root) }
    _ = try makeTree(size, home: root)
    // The tree is written without fsync; flushing it now keeps the kernel's writeback of those
    // dirty pages out of the measurements.
    sync()

    // Start-up: watch the tree, read and parse every task, build the graph.
    let startBegin = clock.monotonicNanoseconds()
    let watcher = try TaskTreeWatcher(root: root)
    var reducer = WatchReducer(configuration: WatchConfiguration(sweepInterval: nil), now: clock.monotonicNanoseconds())
    var graph = TaskGraph()
    var parsed: [TaskKey: TaskRecord] = [:]
    /// When each task's new version reached the graph (every key of a batch, not just one).
    var appliedAt: [TaskKey: UInt64] = [:]
    /// When the reducer last opened the action gate for each task: the moment the engine may
    /// spawn, complete or release (the quiet period after the input settled).
    var allowedAt: [TaskKey: UInt64] = [:]
    func drive(_ first: WatchEvent) {
        // A slice, popped from the front in O(1), as in WatchEngine.handle: start-up queues one
        // answer per task, and `Array.removeFirst` made draining them quadratic (24.9 s instead
        // of 12.6 to 16.2 s of start-up at 100k tasks, docs/performance.md).
        var queue = [first][...]
        while let next = queue.popFirst() {
            for action in reducer.handle(next, now: clock.monotonicNanoseconds()) {
                switch action {
                case .read(let key):
                    let (result, record) = TaskFileReader.read(key, tasksRoot: root + "/tasks")
                    if let record { parsed[key] = record }
                    queue.append(.fileRead(key, result))
                case .graphChanged(let changes):
                    for (key, change) in changes {
                        if case .updated = change, let record = parsed.removeValue(forKey: key) {
                            graph.upsert(record)
                            appliedAt[key] = clock.monotonicNanoseconds()
                        }
                    }
                case .actionsAllowed(let keys):
                    let now = clock.monotonicNanoseconds()
                    for key in keys { allowedAt[key] = now }
                default: break
                }
            }
        }
    }
    drive(.hints(try watcher.start()))
    while !reducer.isSettled { drive(.tick) }
    let startup = clock.monotonicNanoseconds() - startBegin
    let rss = residentMegabytes()
    // Out of inotify watches (another watcher holding them), some folders are only polled and
    // their edits never arrive here: the figures would be wrong, not slow.
    guard watcher.unwatchedDirectories.isEmpty else {
        StandardStreams.writeError(
            "orange-bench: \(watcher.unwatchedDirectories.count) folders got no inotify watch; "
                + "stop other watchers or raise fs.inotify.max_user_watches\n")
        exit(1)
    }

    // Edits: rename-over saves of random tasks, each waited for.
    var latencies: [Double] = []
    var decisions: [Double] = []
    var rng = SystemRandomNumberGenerator()
    for n in 0..<edits {
        let i = Int.random(in: 0..<size, using: &rng)
        let key = TaskKey(project: "bench", taskID: "t\(i)")
        let path = "\(root)/tasks/bench/t\(i)/TASK.md"
        var record = graph[TaskID(validating: "t\(i)")!]!
        record.description = "task \(i) edit \(n)"
        try AtomicFile.write(record.rendered(), to: path)
        let written = clock.monotonicNanoseconds()
        appliedAt[key] = nil
        allowedAt[key] = nil
        let deadline = written + 2_000_000_000
        while (appliedAt[key] == nil || allowedAt[key] == nil) && clock.monotonicNanoseconds() < deadline {
            var entry = pollfd(fd: watcher.fileDescriptor, events: Int16(POLLIN), revents: 0)
            let wait = reducer.nextDeadline.map { Int32(max(0, (Int64($0) - Int64(clock.monotonicNanoseconds())) / 1_000_000)) } ?? 50
            if poll(&entry, 1, min(wait, 50)) > 0 { drive(.hints(try watcher.readHints())) } else { drive(.tick) }
        }
        if let applied = appliedAt[key] { latencies.append(ms(applied - written)) }
        if let allowed = allowedAt[key] { decisions.append(ms(allowed - written)) }
        usleep(UInt32.random(in: 0...5_000, using: &rng))
    }

    // Cost of re-evaluating after one change, averaged over the tasks.
    let ids = graph.tasks.keys.shuffled().prefix(1_000)
    let evalBegin = clock.monotonicNanoseconds()
    for id in ids { _ = graph.evaluate(changed: [id]) }
    let perEvaluation = Double(clock.monotonicNanoseconds() - evalBegin) / Double(ids.count) / 1_000

    // What a reconcile decides on: the engine's graph (cycles, what is due, what is ready), or
    // the whole tree read from disk and a graph built from it (the CLI, sweeps, start-up).
    var onGraph: [Double] = []
    for id in ids.prefix(20) {
        let begin = clock.monotonicNanoseconds()
        let cycles = CycleIndex(graph: graph)
        _ = graph.evaluate(changed: [id], cycles: cycles)
        _ = graph.readyTasks(cycles: cycles)
        onGraph.append(ms(clock.monotonicNanoseconds() - begin))
    }
    var fromDisk: [Double] = []
    let store = FileTaskStore(layout: DataDirectory(home: root))
    for _ in 0..<3 {
        let begin = clock.monotonicNanoseconds()
        let tasks = try store.scan(project: nil).tasks
        let cycles = CycleIndex(graph: TaskGraph(tasks))
        _ = cycles.isEmpty
        fromDisk.append(ms(clock.monotonicNanoseconds() - begin))
    }
    reconcileRows.append("| \(size) | \(format(percentile(onGraph, 0.5))) ms | \(format(percentile(fromDisk, 0.5))) ms |")

    print(
        "| \(size) | \(format(ms(startup))) ms | \(format(percentile(latencies, 0.5))) ms | \(format(percentile(latencies, 0.9))) ms | \(format(percentile(latencies, 0.99))) ms | \(format(latencies.max() ?? 0)) ms | \(latencies.count)/\(edits) | \(format(percentile(decisions, 0.5))) ms | \(format(percentile(decisions, 0.99))) ms | \(format(perEvaluation)) µs | \(format(rss)) MB |"
    )
    watcher.close()
}

print("")
print("| tasks | a reconcile decides on the engine's graph (median of 20) | on the tree read from disk (median of 3) |")
print("|---|---|---|")
for row in reconcileRows { print(row) }
