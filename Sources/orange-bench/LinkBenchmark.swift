@preconcurrency import Glibc
import OrangeCore
import OrangeSystem

/// `orange-bench links`: how long the real engine takes to see a status change saved by rename
/// into the task's own TASK.md, and the same save made through a workspace's TASK.md link (which
/// replaces the link: the engine applies the file to the task, puts the link back, then sees the
/// task's file change). From the rename to the engine's `status` event on its stdout.
enum LinkBenchmark {
    static func run(rounds: Int, orange: String) throws -> String {
        var template = Array("/tmp/orange-links-XXXXXX".utf8CString)
        let home = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)!) }
        defer { try? FileSystem.removeTree(home) }
        let taskFolder = home + "/tasks/bench/t1"
        let taskFile = taskFolder + "/TASK.md"
        let workspace = home + "/workspaces/bench--1"
        try FileSystem.makeDirectories(taskFolder)
        try FileSystem.makeDirectories(workspace)
        // Bound as a spawn leaves it; the project is not registered, so nothing is spawned.
        let record = TaskRecord(
            id: TaskID(validating: "t1")!, project: ProjectName(validating: "bench")!, branch: "b1", status: .working,
            description: "bench", workspace: "bench--1", createdAt: Timestamp(millisecondsSinceEpoch: 0),
            updatedAt: Timestamp(millisecondsSinceEpoch: 0), body: "## Notes\n\nbench\n")
        try AtomicFile.write(record.rendered(), to: taskFile)
        try AtomicFile.write(
            #"{"workspaces": {"bench--1": {"status": "bound", "task": "t1"}}}"# + "\n", to: home + "/workspaces/.pool.json")
        try FileSystem.createSymbolicLink(at: workspace + "/TASK.md", pointingTo: taskFile)

        let engine = try RunningProcess(
            [orange, "watch", "--json", "--sweep-interval", "3600"],
            environment: ["ORANGE_HOME": home], errorLog: home + "/watch.err")
        defer { engine.terminate() }
        let clock = SystemClock()
        while try ProcessRunner().run(
            [orange, "watch", "sync", "--timeout", "10"], environment: ["ORANGE_HOME": home], input: nil, timeoutSeconds: 20
        ).exitCode != 0 {
            usleep(5_000)
        }
        _ = engine.readLines(waitingUpTo: 0)

        var direct: [Double] = []
        var throughLink: [Double] = []
        var status = TaskStatus.working
        for round in 0..<(2 * rounds) {
            let viaLink = round % 2 == 1
            let next: TaskStatus = status == .working ? .stuck : .working
            let text = try FileSystem.readText(taskFile).replacing("status: \(status.rawValue)\n", with: "status: \(next.rawValue)\n")
            // A rename-over save, as `sed -i` or an editor makes it, in the task's folder or the workspace.
            let folder = viaLink ? workspace : taskFolder
            try AtomicFile.write(text, to: folder + "/TASK.md.new")
            let begin = clock.monotonicNanoseconds()
            try FileSystem.rename(folder + "/TASK.md.new", to: folder + "/TASK.md")
            let wanted = "\"event\":\"status\""
            let target = "\"to\":\"\(next.rawValue)\""
            var seen = false
            while !seen {
                guard clock.monotonicNanoseconds() - begin < 10_000_000_000 else {
                    throw BenchError(
                        "no status event within 10 s (round \(round)); engine errors: \((try? FileSystem.readText(home + "/watch.err")) ?? "")"
                    )
                }
                seen = engine.readLines(waitingUpTo: 100).contains { $0.contains(wanted) && $0.contains(target) }
            }
            let elapsed = Double(clock.monotonicNanoseconds() - begin) / 1e6
            if viaLink { throughLink.append(elapsed) } else { direct.append(elapsed) }
            status = next
            // The link is back before the next save through it.
            while FileSystem.status(workspace + "/TASK.md")?.isSymbolicLink != true { usleep(1_000) }
            usleep(useconds_t.random(in: 0...5_000))
        }
        func row(_ name: String, _ values: [Double]) -> String {
            "| \(name) | \(Bench.format(Bench.percentile(values, 0.5))) ms | \(Bench.format(Bench.percentile(values, 0.9))) ms "
                + "| \(Bench.format(Bench.percentile(values, 0.99))) ms | \(Bench.format(values.max() ?? 0)) ms | \(values.count) |\n"
        }
        return "| save by rename (status change) | p50 | p90 | p99 | max | saves |\n|---|---|---|---|---|---|\n"
            + row("into the task's TASK.md", direct) + row("through the workspace's TASK.md link", throughLink)
    }
}
