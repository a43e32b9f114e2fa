@preconcurrency import Glibc
import OrangeCore
import OrangeSystem

/// The sub-commands besides the default pipeline measurement: `peers`, `list`, `decode`, `links`,
/// `memory`, `reads`, `dashboard` and `startread`.
enum BenchCommands {
    static func runIfRequested(_ arguments: [String]) {
        guard let command = arguments.first,
            ["peers", "list", "decode", "links", "memory", "reads", "dashboard", "startread"].contains(command)
        else {
            return
        }
        if command == "decode" {
            StandardStreams.writeOutput(DecodeBenchmark.run() + "\n" + ((try? HistoryStatusBenchmark.run()) ?? ""))
            exit(0)
        }
        if command == "startread" {
            runStartRead(Array(arguments.dropFirst()))
        }
        var options = PeerBenchmark.Options()
        options.orange = FileSystem.parentDirectory(of: FileSystem.currentExecutable() ?? ".") + "/orange"
        var sizes = [1_000, 10_000, 100_000]
        var baseline: String?
        var keep: String?
        var rest = arguments.dropFirst()
        while let argument = rest.popFirst() {
            let value = rest.popFirst() ?? ""
            switch argument {
            case "--rounds": options.rounds = Int(value) ?? options.rounds
            case "--poller-rounds": options.pollerRounds = Int(value) ?? options.pollerRounds
            case "--tasks": options.tasks = Int(value) ?? options.tasks
            case "--blocks": options.blocks = max(1, Int(value) ?? options.blocks)
            case "--orange": options.orange = value
            case "--baseline": baseline = value
            case "--keep": keep = value
            case "--sizes": sizes = value.split(separator: ",").compactMap { Int($0) }
            default:
                StandardStreams.writeError(
                    "usage: orange-bench peers [--rounds 200] [--poller-rounds 30] [--tasks 1000] [--blocks 2] [--orange path]\n       orange-bench list [--sizes 1000,10000,100000] [--orange path]\n       orange-bench reads [--sizes 1000,10000,100000] [--orange path]\n       orange-bench dashboard [--sizes 1000,10000,100000] [--orange path]\n       orange-bench links [--rounds 200] [--orange path]\n       orange-bench memory [--sizes 10000,100000] [--rounds 2] [--orange path] [--baseline path] [--keep dir]\n"
                )
                exit(2)
            }
        }
        guard FileSystem.fileExists(options.orange) else {
            StandardStreams.writeError("orange-bench: no orange binary at \(options.orange); build it or pass --orange\n")
            exit(1)
        }
        do {
            if command == "peers" {
                var benchmark = PeerBenchmark(options: options)
                StandardStreams.writeOutput(try benchmark.run())
            } else if command == "memory" {
                let runs = arguments.contains("--rounds") ? options.rounds : 2
                StandardStreams.writeOutput(
                    try EngineMemoryBenchmark.run(sizes: sizes, rounds: runs, orange: options.orange, baseline: baseline, keep: keep))
            } else if command == "reads" {
                StandardStreams.writeOutput(try ReadsBenchmark.run(sizes: sizes, orange: options.orange))
            } else if command == "dashboard" {
                StandardStreams.writeOutput(try DashboardBenchmark.run(sizes: sizes, orange: options.orange))
            } else if command == "links" {
                StandardStreams.writeOutput(try LinkBenchmark.run(rounds: options.rounds, orange: options.orange))
            } else {
                StandardStreams.writeOutput(try listReady(sizes: sizes, orange: options.orange))
            }
            exit(0)
        } catch {
            StandardStreams.writeError("orange-bench: \(error)\n")
            exit(1)
        }
    }

    /// The real engine on the same tree: from starting `orange watch` to its answer to the first
    /// `orange watch sync` (every task read, the catch-up reconcile done), and its memory then.
    /// The tree's project is not registered, so nothing is spawned.
    /// With `settle`, the resident size is read again that many seconds after the answer (the
    /// catch-up reconcile's memory handed back).
    static func watchStartUp(home: String, orange: String, settle: Double = 0) throws -> (
        seconds: Double, rss: Double, peak: Double, settled: Double
    ) {
        let clock = SystemClock()
        let begin = clock.monotonicNanoseconds()
        // Its output goes to a file: nobody reads a pipe while `watch sync` waits, and at 100,000
        // tasks the start-up's lines filled one and stopped the engine in `write`.
        let output = home + "/watch.out"
        let engine = try RunningProcess(
            ["/bin/sh", "-c", "exec \"$0\" watch --json --sweep-interval 3600 > \"$1\"", orange, output],
            environment: ["ORANGE_HOME": home], errorLog: home + "/watch.err")
        defer { engine.terminate() }
        // Until the engine holds its lock, `watch sync` says none is running: ask again.
        while true {
            let sync = try ProcessRunner().run(
                [orange, "watch", "sync", "--timeout", "600"], environment: ["ORANGE_HOME": home], input: nil, timeoutSeconds: 660)
            if sync.exitCode == 0 { break }
            guard sync.stderr.contains("no orange engine is running"), clock.monotonicNanoseconds() - begin < 60_000_000_000 else {
                throw BenchError("watch sync failed: \(sync.stderr)")
            }
            usleep(5_000)
        }
        let seconds = Double(clock.monotonicNanoseconds() - begin) / 1e9
        // An engine short of inotify watches polls part of the tree: not the engine measured here.
        if ((try? FileSystem.readText(output)) ?? "").contains("\"degraded\":true") {
            throw BenchError("orange watch ran out of inotify watches; stop other watchers or raise fs.inotify.max_user_watches")
        }
        let rss = engine.residentMegabytes
        if settle > 0 { usleep(UInt32(settle * 1e6)) }
        return (seconds, rss, engine.peakResidentMegabytes, engine.residentMegabytes)
    }

    /// Wall time of `orange task list --ready --json --all` (the whole process: start, scan and
    /// parse every TASK.md, readiness, JSON) on trees of each size; the median of 5 runs.
    static func listReady(sizes: [Int], orange: String) throws -> String {
        var out =
            "| tasks | `task list --ready --json --all` (median of 5) | ready tasks | `orange watch`: start to first `watch sync` answered | its RSS then | its peak RSS |\n|---|---|---|---|---|---|\n"
        let clock = SystemClock()
        for size in sizes {
            var template = Array("/tmp/orange-list-XXXXXX".utf8CString)
            let root = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)!) }
            defer { try? FileSystem.removeTree(root) }
            try ReadsBenchmark.writeTree(size, home: root)
            var times: [Double] = []
            var readyCount = 0
            for _ in 0..<5 {
                let begin = clock.monotonicNanoseconds()
                let result = try ProcessRunner().run(
                    [orange, "task", "list", "--ready", "--json", "--all"], environment: ["ORANGE_HOME": root], input: nil,
                    timeoutSeconds: 300)
                times.append(Double(clock.monotonicNanoseconds() - begin) / 1e6)
                guard result.exitCode == 0 else { throw BenchError("task list failed: \(result.stderr)") }
                // A task's own members sit at depth 3 of the envelope (`{"tasks": [{"id": …`).
                readyCount = result.stdout.split(separator: "\n").filter { $0.hasPrefix("      \"id\"") }.count
            }
            let engine = try watchStartUp(home: root, orange: orange)
            out +=
                "| \(size) | \(Bench.format(Bench.percentile(times, 0.5))) ms | \(readyCount) | \(Bench.format(engine.seconds)) s "
                + "| \(Bench.format(engine.rss)) MB | \(Bench.format(engine.peak)) MB |\n"
        }
        return out
    }
}
