@preconcurrency import Glibc
import OrangeSystem

/// `orange-bench memory`: the real `orange watch` on a tree with the notes real agents write
/// (`RealisticTree`), from start to its first `watch sync` answered, and its resident memory
/// then, two seconds later (settled) and at its peak. With `--baseline`, a second `orange` binary
/// (an older build) runs on the same tree, alternating with the first, so both are measured in
/// one run on the same machine state. The tree's project is not registered: nothing is spawned.
/// With `--keep DIR`, the trees are written once into `DIR/<size>` and reused by later runs.
enum EngineMemoryBenchmark {
    static func run(sizes: [Int], rounds: Int, orange: String, baseline: String?, keep: String?) throws -> String {
        let binaries = (baseline.map { [("baseline", $0)] } ?? []) + [("this build", orange)]
        var out =
            "| tasks | TASK.md files | binary | start to first `watch sync` answered | RSS then | RSS settled (2 s later) | peak RSS |\n"
            + "|---|---|---|---|---|---|---|\n"
        for size in sizes {
            let root: String
            if let keep {
                // Kept between runs: writing 100,000 tasks with notes takes minutes.
                root = keep + "/\(size)"
            } else {
                var template = Array("/tmp/orange-memory-XXXXXX".utf8CString)
                root = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)!) }
            }
            defer { if keep == nil { try? FileSystem.removeTree(root) } }
            if !FileSystem.fileExists(root + "/tasks") {
                FileHandleOutput.note("memory: writing \(size) tasks with notes")
                try RealisticTree.write(count: size, home: root + "/.writing")
                guard rename(root + "/.writing/tasks", root + "/tasks") == 0 else { throw SystemError.current("rename", path: root) }
            }
            let megabytes = try treeMegabytes(root + "/tasks")
            var results: [String: [(seconds: Double, rss: Double, peak: Double, settled: Double)]] = [:]
            for round in 0..<rounds {
                for (label, binary) in binaries {
                    FileHandleOutput.note("memory: \(size) tasks, round \(round + 1)/\(rounds), \(label)")
                    results[label, default: []].append(try BenchCommands.watchStartUp(home: root, orange: binary, settle: 2))
                }
            }
            for (label, _) in binaries {
                let runs = results[label] ?? []
                func median(_ values: [Double]) -> String { Bench.format(Bench.percentile(values, 0.5)) }
                out +=
                    "| \(size) | \(Bench.format(megabytes)) MB | \(label) | \(median(runs.map(\.seconds))) s | \(median(runs.map(\.rss))) MB "
                    + "| \(median(runs.map(\.settled))) MB | \(median(runs.map(\.peak))) MB |\n"
            }
        }
        return out + "\nMedians of \(rounds) runs per binary (of two, the larger), alternating.\n"
    }

    /// The bytes of every TASK.md under `tasks` (folders and histories not counted).
    private static func treeMegabytes(_ tasks: String) throws -> Double {
        let result = try ProcessRunner().run(
            ["find", tasks, "-name", "TASK.md", "-printf", "%s\\n"], environment: [:], input: nil, timeoutSeconds: 300)
        return Double(result.stdout.split(separator: "\n").compactMap { Int($0) }.reduce(0, +)) / 1_048_576
    }
}
