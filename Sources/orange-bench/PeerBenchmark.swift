@preconcurrency import Glibc
import OrangeCore
import OrangeSystem

/// `orange-bench peers`: orange's engine and the file watchers it is compared with, on the same
/// tree, with the same edits, in one run (watcher-reliability.md §4).
///
/// Each watcher runs alone, as a child process (pinned to the last CPU by the bench script; the
/// writer runs on the first), so no watcher slows another. A warm-up edit is repeated until the
/// watcher reports it. Then a closed loop: one change, wait until the watcher names the task
/// (or 3 s pass: a miss), a random pause of 0-20 ms, the next change. The watchers run in
/// interleaved blocks (all of them, then all of them again) so a slow phase of the machine hits
/// every watcher alike. Latency is from the moment the writer's change is complete (rename done,
/// file closed, `sed` or `git` exited) to the moment the watcher's line is read.
struct PeerBenchmark {
    struct Options {
        var rounds = 200
        var pollerRounds = 30
        var tasks = 1_000
        var burst = 2_000
        var blocks = 2
        var orange = ""
    }

    /// What one watcher did in one scenario.
    struct Samples {
        var latencies: [Double] = []
        var changes = 0
        var misses = 0
        var extraLines = 0
    }

    struct WatcherResult {
        var startup: [Double] = []
        var cpu = 0.0
        var peakRSS = 0.0
        var scenarios: [String: Samples] = [:]
    }

    static let editScenarios = ["rename-over save", "sed -i", "in-place writes (truncate, 3 writes, close)"]
    static let heavyScenarios = [
        "new folders, 2000 at once", "folder delete", "git checkout storm (150 modified, 50 new, 30 deleted)",
        "queue overflow, then one edit",
    ]

    let options: Options
    let clock = SystemClock()
    var rng = SystemRandomNumberGenerator()

    mutating func run() throws -> String {
        let tree = try PeerTree(tasks: options.tasks)
        let scripts = tree.root + "/scripts"
        try FileSystem.makeDirectories(scripts)
        let (watchers, missing) = try PeerWatcher.available(root: tree.root, orange: options.orange, scripts: scripts)
        var results: [String: WatcherResult] = [:]
        for block in 0..<options.blocks {
            for watcher in watchers {
                let last = block == options.blocks - 1
                FileHandleOutput.note("block \(block + 1)/\(options.blocks): \(watcher.name)")
                var result = results[watcher.name] ?? WatcherResult()
                try measure(watcher, tree: tree, heavy: last, into: &result)
                results[watcher.name] = result
            }
        }
        return report(watchers.map(\.name), results, missing: missing)
    }

    // MARK: - One watcher

    private mutating func measure(_ watcher: PeerWatcher, tree: PeerTree, heavy: Bool, into result: inout WatcherResult) throws {
        var argv = watcher.argv
        if let cpu = ProcessEnvironment.current()["ORANGE_BENCH_WATCHER_CPU"] { argv = ["taskset", "-c", cpu] + argv }
        let started = clock.monotonicNanoseconds()
        let process = try RunningProcess(
            argv, environment: watcher.environment, errorLog: tree.root + "/\(watcher.name.replacing(" ", with: "-")).err")
        defer { process.terminate() }

        // Warm-up: the watcher is ready once it reports an edit.
        let probe = tree.hot.last!
        var ready = false
        while !ready && clock.monotonicNanoseconds() - started < 60_000_000_000 {
            try flipByRename(probe, tree: tree)
            ready = !observe(watcher, process, [probe: clock.monotonicNanoseconds()], timeout: 0.5).latencies.isEmpty
        }
        guard ready else { throw BenchError("\(watcher.name) reported nothing within 60 s (see \(tree.root))") }
        result.startup.append(Double(clock.monotonicNanoseconds() - started) / 1e6)
        settle(process)

        let rounds = max(1, (watcher.isPoller ? options.pollerRounds : options.rounds) / options.blocks)
        for scenario in Self.editScenarios {
            var samples = result.scenarios[scenario] ?? Samples()
            for _ in 0..<rounds {
                let id = tree.hot[Int.random(in: 0..<(tree.hot.count - 2), using: &rng)]
                switch scenario {
                case Self.editScenarios[0]: try flipByRename(id, tree: tree)
                case Self.editScenarios[1]: try flipBySed(id, tree: tree)
                default: try flipInPlace(id, tree: tree)
                }
                add(observe(watcher, process, [id: clock.monotonicNanoseconds()], timeout: 3), to: &samples)
                usleep(UInt32.random(in: 0...20_000, using: &rng))
            }
            result.scenarios[scenario] = samples
        }
        if heavy {
            try runHeavyScenarios(watcher, process: process, tree: tree, into: &result)
        }
        result.cpu += process.cpuSeconds
        result.peakRSS = max(result.peakRSS, process.peakResidentMegabytes)
    }

    private mutating func runHeavyScenarios(
        _ watcher: PeerWatcher, process: RunningProcess, tree: PeerTree, into result: inout WatcherResult
    ) throws {
        // New folders: each written whole, as fast as possible; every one must be reported.
        var written: [String: UInt64] = [:]
        let burstIDs = (0..<options.burst).map { "n\($0)" }
        for id in burstIDs {
            try tree.write(id, status: .done)
            written[id] = clock.monotonicNanoseconds()
        }
        result.scenarios[Self.heavyScenarios[0]] = observe(watcher, process, written, timeout: 10)
        settle(process)

        // Folder delete, one at a time.
        var deletes = Samples()
        let deleteRounds = watcher.isPoller ? min(20, options.pollerRounds) : 50
        for id in burstIDs.prefix(deleteRounds) {
            try FileSystem.removeTree(tree.folder + "/" + id)
            add(observe(watcher, process, [id: clock.monotonicNanoseconds()], deleted: [id], timeout: 3), to: &deletes)
            usleep(UInt32.random(in: 0...20_000, using: &rng))
        }
        result.scenarios[Self.heavyScenarios[1]] = deletes
        for id in burstIDs.dropFirst(deleteRounds) { try FileSystem.removeTree(tree.folder + "/" + id) }
        settle(process)

        // git checkout between the two branches, both ways, twice: latency from git's exit.
        var storm = Samples()
        for _ in 0..<4 {
            try tree.checkoutOther()
            let exited = clock.monotonicNanoseconds()
            add(
                observe(
                    watcher, process, Dictionary(uniqueKeysWithValues: tree.stormIDs.map { ($0, exited) }), deleted: tree.removedByCheckout,
                    timeout: 10), to: &storm)
            settle(process)
        }
        result.scenarios[Self.heavyScenarios[2]] = storm

        // Overflow: stop the watcher, flood its queue past the kernel's limit, change one task,
        // resume it. Only a watcher that recovers from the overflow can report the change.
        guard watcher.hasKernelQueue else { return }
        let marker = tree.hot[tree.hot.count - 2]
        process.signal(SIGSTOP)
        let scratch = tree.folder + "/h0/scratch.log"
        for _ in 0..<12_000 {
            let fd = open(scratch, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            if fd >= 0 { _ = write(fd, "x", 1); close(fd) }
        }
        try flipByRename(marker, tree: tree)
        let resumed = clock.monotonicNanoseconds()
        process.signal(SIGCONT)
        result.scenarios[Self.heavyScenarios[3]] = observe(watcher, process, [marker: resumed], timeout: 10)
        try? FileSystem.removeTree(scratch)
        settle(process)
    }

    // MARK: - Changes

    /// An editor's save: a new file beside it, renamed over it (no fsync, so the clock starts
    /// when the rename is done rather than when the disk has it).
    private func flipByRename(_ id: String, tree: PeerTree) throws {
        let status = tree.flipped(id)
        let temporary = tree.folder + "/\(id)/.TASK.md.swp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw SystemError.current("open", path: temporary) }
        try AtomicFile.writeAll(fd, Array(PeerTree.text(id, status: status).utf8), path: temporary)
        close(fd)
        guard rename(temporary, tree.file(id)) == 0 else { throw SystemError.current("rename", path: tree.file(id)) }
        tree.noteHotStatus(id, status)
    }

    private func flipBySed(_ id: String, tree: PeerTree) throws {
        let from = tree.hotStatus[id]!.rawValue
        let status = tree.flipped(id)
        try ProcessRunner().check(["sed", "-i", "-e", "s/^status: \(from)$/status: \(status.rawValue)/", tree.file(id)])
        tree.noteHotStatus(id, status)
    }

    /// Truncate, then the file in three writes, then close: an editor saving in place.
    private func flipInPlace(_ id: String, tree: PeerTree) throws {
        let status = tree.flipped(id)
        let bytes = Array(PeerTree.text(id, status: status).utf8)
        let fd = open(tree.file(id), O_WRONLY | O_TRUNC | O_CLOEXEC)
        guard fd >= 0 else { throw SystemError.current("open", path: tree.file(id)) }
        let third = bytes.count / 3
        for chunk in [bytes[0..<third], bytes[third..<(2 * third)], bytes[(2 * third)...]] {
            try AtomicFile.writeAll(fd, Array(chunk), path: tree.file(id))
        }
        close(fd)
        tree.noteHotStatus(id, status)
    }

    // MARK: - Observing

    /// Reads the watcher's lines until each task in `since` has a line showing its change
    /// finished (`reportsFinished`; `deleted`: the tasks whose change is their removal), or
    /// `timeout` seconds pass. Other lines naming the task (a path component or a quoted word)
    /// are extra lines.
    private func observe(
        _ watcher: PeerWatcher, _ process: RunningProcess, _ since: [String: UInt64], deleted: Set<String> = [], timeout: Double
    ) -> Samples {
        var samples = Samples()
        samples.changes = since.count
        var seen: Set<String> = []
        func named(_ line: String) -> [String] {
            line.split(whereSeparator: { $0 == "/" || $0 == " " || $0 == "\"" }).map(String.init).filter { since[$0] != nil }
        }
        let deadline = clock.monotonicNanoseconds() + UInt64(timeout * 1e9)
        while seen.count < since.count {
            let now = clock.monotonicNanoseconds()
            guard now < deadline else { break }
            for line in process.readLines(waitingUpTo: Int32(min(50, (deadline - now) / 1_000_000 + 1))) {
                let at = clock.monotonicNanoseconds()
                for id in Set(named(line)) {
                    if !seen.contains(id), watcher.reportsFinished(line, id: id, deleted: deleted.contains(id)), let start = since[id] {
                        seen.insert(id)
                        samples.latencies.append(Double(at - start) / 1e6)
                    } else {
                        samples.extraLines += 1
                    }
                }
            }
        }
        samples.misses = since.count - seen.count
        // Lines that follow within 50 ms still belong to this change.
        for line in process.readLines(waitingUpTo: 50) { samples.extraLines += Set(named(line)).count }
        return samples
    }

    /// Waits until the watcher has been silent for 300 ms (at most 15 s), dropping its lines.
    private func settle(_ process: RunningProcess) {
        let deadline = clock.monotonicNanoseconds() + 15_000_000_000
        while clock.monotonicNanoseconds() < deadline && !process.readLines(waitingUpTo: 300).isEmpty {}
    }

    private func add(_ new: Samples, to samples: inout Samples) {
        samples.latencies += new.latencies
        samples.changes += new.changes
        samples.misses += new.misses
        samples.extraLines += new.extraLines
    }

    // MARK: - Report

    private func report(_ names: [String], _ results: [String: WatcherResult], missing: [String]) -> String {
        var out = ""
        for scenario in Self.editScenarios + Self.heavyScenarios {
            out +=
                "\n**\(scenario)**\n\n| watcher | p50 | p90 | p99 | max | changes | missed | extra lines |\n|---|---|---|---|---|---|---|---|\n"
            for name in names {
                guard let samples = results[name]?.scenarios[scenario] else { continue }
                let l = samples.latencies
                let cells =
                    l.isEmpty
                    ? ["–", "–", "–", "–"]
                    : [0.5, 0.9, 0.99].map { Bench.format(Bench.percentile(l, $0)) + " ms" } + [Bench.format(l.max()!) + " ms"]
                out +=
                    "| \(name) | " + cells.joined(separator: " | ")
                    + " | \(samples.changes) | \(samples.misses) | \(samples.extraLines) |\n"
            }
        }
        out +=
            "\n**Cost of each watcher over the whole run**\n\n| watcher | start-up to first event | CPU time | peak RSS |\n|---|---|---|---|\n"
        for name in names {
            guard let r = results[name] else { continue }
            out += "| \(name) | \(Bench.format(r.startup.max() ?? 0)) ms | \(Bench.format(r.cpu)) s | \(Bench.format(r.peakRSS)) MB |\n"
        }
        if !missing.isEmpty { out += "\nNot measured (not installed): " + missing.joined(separator: ", ") + ".\n" }
        return out
    }
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Progress goes to stderr so stdout stays the Markdown result.
enum FileHandleOutput {
    static func note(_ text: String) { StandardStreams.writeError("orange-bench: " + text + "\n") }
}

/// Number formatting shared by the benchmarks.
enum Bench {
    static func percentile(_ values: [Double], _ p: Double) -> Double {
        let sorted = values.sorted()
        return sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * p).rounded()))]
    }

    static func format(_ value: Double) -> String {
        let hundredths = Int((value * 100).rounded())
        return "\(hundredths / 100).\(String(100 + hundredths % 100).dropFirst())"
    }
}
