@preconcurrency import Glibc
import OrangeCore
import OrangeSystem

/// `orange-bench startread <home>`: the engine's start-up up to the parsed records, in process and
/// with the engine's own code: the watcher's start (a watch and a scan per folder), then the
/// start-up read of every TASK.md it reported (parse and look at its history), on every core.
/// The rest of the start-up (reducer, graph, catch-up) is not in it, so a change to these two
/// steps shows on a shared machine.
/// Run it on a copy of a tree, never on one an engine is watching.
enum StartReadBenchmark {
    static func run(home: String, rounds: Int) throws -> String {
        let clock = SystemClock()
        var out =
            "| round | watcher start (ms) | its CPU (ms) | watches | read + parse (ms) | its CPU (ms) | files | parsed |\n"
            + "|---|---|---|---|---|---|---|---|\n"
        for round in 1...max(1, rounds) {
            let watcher = try TaskTreeWatcher(root: home)
            defer { watcher.close() }
            let begin = clock.monotonicNanoseconds(), cpuBegin = cpuMilliseconds()
            let hints = try watcher.start()
            let started = clock.monotonicNanoseconds(), cpuStarted = cpuMilliseconds()
            let keys = hints.compactMap { hint -> TaskKey? in
                guard case .taskFile(let project, let id, .appeared) = hint else { return nil }
                return TaskKey(project: project, taskID: id)
            }
            let tree = WatchedTaskTree(watcher: watcher, tasksRoot: watcher.tasksPath, project: nil)
            // The engine's own start-up read: slice by slice, with its look at each history.
            var parsed = 0
            tree.readAtStartUp(keys, sliceSize: WatchDriver.startUpSlice) { _, answers in
                parsed += answers.filter { if case .parsed = $0?.result { return true } else { return false } }.count
            }
            let done = clock.monotonicNanoseconds(), cpuDone = cpuMilliseconds()
            out +=
                "| \(round) | \(Bench.format(Double(started - begin) / 1e6)) | \(Bench.format(cpuStarted - cpuBegin)) | "
                + "\(watcher.watchCount) | \(Bench.format(Double(done - started) / 1e6)) | \(Bench.format(cpuDone - cpuStarted)) | "
                + "\(keys.count) | \(parsed) |\n"
        }
        return out
    }
}

/// User + system CPU time of the whole process (every thread), in milliseconds.
private func cpuMilliseconds() -> Double {
    var usage = rusage()
    getrusage(Int32(RUSAGE_SELF.rawValue), &usage)
    let micros = (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1_000_000 + usage.ru_utime.tv_usec + usage.ru_stime.tv_usec
    return Double(micros) / 1e3
}

extension BenchCommands {
    /// `orange-bench startread <home> [--rounds 3]`.
    static func runStartRead(_ arguments: [String]) -> Never {
        guard let home = arguments.first else {
            StandardStreams.writeError("usage: orange-bench startread <home> [--rounds 3]\n")
            exit(2)
        }
        let rounds = arguments.firstIndex(of: "--rounds").flatMap { $0 + 1 < arguments.count ? Int(arguments[$0 + 1]) : nil } ?? 3
        do {
            StandardStreams.writeOutput(try StartReadBenchmark.run(home: home, rounds: rounds))
            exit(0)
        } catch {
            StandardStreams.writeError("orange-bench: \(error)\n")
            exit(1)
        }
    }
}
