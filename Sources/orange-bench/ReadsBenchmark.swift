@preconcurrency import Glibc
import OrangeCore
import OrangeSystem

/// `orange-bench reads`: the commands of issue 18 as a user runs them (the whole process), on
/// the same tree, first with no engine (every command reads the tree) and then with a running
/// `orange watch` answering them (`ORANGE_ENGINE_READS=required`: a command the engine did not
/// answer fails the benchmark instead of being timed as a scan).
enum ReadsBenchmark {
    static func run(sizes: [Int], orange: String) throws -> String {
        var out =
            "| tasks | command | no engine: reads the tree (median) | engine running (median) | target with an engine (issue 18) | runs (tree / engine) |\n|---|---|---|---|---|---|\n"
        for size in sizes {
            var template = Array("/tmp/orange-reads-XXXXXX".utf8CString)
            let root = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)!) }
            defer { try? FileSystem.removeTree(root) }
            let home = root + "/home"
            let environment = ["ORANGE_HOME": home, "PATH": ProcessEnvironment.current()["PATH"] ?? "/usr/bin:/bin"]
            try makeProject(root: root, environment: environment, orange: orange)
            try writeTree(size, home: home)
            // Once, before either side: the catch-up notes why each ready task is not started
            // (no agent is installed), so no timed command pays for those writes.
            _ = try check([orange, "watch", "--once"], environment)
            let scanRuns = size >= 100_000 ? 3 : 5
            let engineRuns = 20
            let commands = timedCommands(size: size)
            let scan = try commands.map {
                try median(of: $0, runs: scanRuns, orange: orange, environment: environment, tag: "s", errorLog: root + "/command.err")
            }

            let engine = try RunningProcess(
                [orange, "watch", "--json", "--sweep-interval", "3600"], environment: environment, errorLog: root + "/watch.err")
            defer { engine.terminate() }
            while try ProcessRunner().run(
                [orange, "watch", "sync", "--timeout", "600"], environment: environment, input: nil, timeoutSeconds: 660
            ).exitCode != 0 {
                usleep(5_000)
            }
            var required = environment
            required["ORANGE_ENGINE_READS"] = "required"
            // A command the engine did not answer is said in its cell; the other commands are still timed.
            let answered = commands.map { command -> String in
                do {
                    return Bench.format(
                        try median(
                            of: command, runs: engineRuns, orange: orange, environment: required, tag: "e", errorLog: root + "/command.err")
                    ) + " ms"
                } catch {
                    let reason = String("\(error)".prefix(120).map { $0 == "|" ? "/" : $0 == "\n" ? " " : $0 })
                    return "no answer (\(reason))"
                }
            }
            for (index, command) in commands.enumerated() {
                out +=
                    "| \(size) | `\(command.label)` | \(Bench.format(scan[index])) ms | \(answered[index]) | \(command.target(size)) | \(scanRuns) / \(engineRuns) |\n"
            }
        }
        return out
    }

    struct Command {
        var label: String
        /// The issue's targets at 10,000 and 100,000 tasks, in ms.
        var targets: (Int, Int)
        /// The arguments of run `n` (each update and create is a new write).
        var arguments: (Int) -> [String]
        /// A write made before run `n`, not timed: the command then answers a changed graph.
        var before: ((Int) -> [String])? = nil

        func target(_ size: Int) -> String {
            size == 10_000 ? "≤ \(targets.0) ms" : size == 100_000 ? "≤ \(targets.1) ms" : "-"
        }
    }

    static func timedCommands(size: Int) -> [Command] {
        let some = "t\(size / 2 + 1)"
        return [
            Command(label: "task list --ready --json", targets: (15, 30)) { _ in ["task", "list", "--ready", "--json", "--all"] },
            // Each after a write: not the answer the engine kept from the run before.
            Command(
                label: "task list --ready --json (after a write)", targets: (15, 30),
                arguments: { _ in ["task", "list", "--ready", "--json", "--all"] },
                before: { n in ["task", "update", "t\(size / 2 + 3)", "--description", "before list \(n)"] }),
            Command(label: "task show", targets: (10, 10)) { _ in ["task", "show", some] },
            Command(label: "task update --description", targets: (30, 40)) { n in ["task", "update", some, "--description", "edit \(n)"] },
            Command(label: "task create --blocked-by", targets: (30, 40)) { n in
                ["task", "create", "new-\(n)", "--project", "bench", "--blocked-by", some, "--no-spawn"]
            },
        ]
    }

    private static func median(
        of command: Command, runs: Int, orange: String, environment: [String: String], tag: String, errorLog: String
    ) throws -> Double {
        let clock = SystemClock()
        var times: [Double] = []
        for run in 0..<runs {
            var arguments = command.arguments(run)
            if arguments.first == "task" && arguments.dropFirst().first == "create" { arguments[2] += "-" + tag }
            if var write = command.before?(run) {
                write[write.count - 1] += " " + tag
                try check([orange] + write, environment)
            }
            // The output read as a pipe into `wc -c` reads it: 30 MB of `--json` at 100,000 tasks,
            // kept whole in a `String` by the runner, cost the runner 35 ms that the command
            // does not spend.
            let begin = clock.monotonicNanoseconds()
            let process = try RunningProcess([orange] + arguments, environment: environment, errorLog: errorLog)
            let exitCode = process.drainOutputAndWait().exitCode
            times.append(Double(clock.monotonicNanoseconds() - begin) / 1e6)
            guard exitCode == 0 else {
                let errors = (try? FileSystem.readText(errorLog)) ?? ""
                throw BenchError("\(arguments.joined(separator: " ")) failed (exit \(exitCode)): \(errors)")
            }
        }
        return Bench.percentile(times, 0.5)
    }

    @discardableResult
    private static func check(_ argv: [String], _ environment: [String: String]) throws -> ProcessResult {
        let result = try ProcessRunner().run(argv, environment: environment, input: nil, timeoutSeconds: 600)
        guard result.exitCode == 0 else { throw BenchError("\(argv.dropFirst().joined(separator: " ")) failed: \(result.stderr)") }
        return result
    }

    /// A git repository with an origin, registered as project `bench`.
    static func makeProject(root: String, environment: [String: String], orange: String) throws {
        var git = environment
        git["GIT_AUTHOR_NAME"] = "bench"
        git["GIT_AUTHOR_EMAIL"] = "bench@orange.invalid"
        git["GIT_COMMITTER_NAME"] = "bench"
        git["GIT_COMMITTER_EMAIL"] = "bench@orange.invalid"
        try check(["git", "init", "-q", "--bare", "-b", "main", root + "/origin.git"], git)
        try check(["git", "init", "-q", "-b", "main", root + "/repo"], git)
        try check(["git", "-C", root + "/repo", "commit", "-q", "--allow-empty", "-m", "initial"], git)
        try check(["git", "-C", root + "/repo", "remote", "add", "origin", root + "/origin.git"], git)
        try check(["git", "-C", root + "/repo", "push", "-q", "-u", "origin", "main"], git)
        try check([orange, "project", "add", root + "/repo", "--name", "bench"], git)
    }

    /// The tree of `orange-bench list`: random `blocked_by` edges to earlier tasks, a third done,
    /// with a few lines of notes.
    /// The tree of table 2b: `size` tasks in project `bench`, up to two random earlier blockers
    /// each, a third done. Plain writes, no fsync per file (100k fsyncs took minutes): the tree
    /// is the input, and one `sync()` at the end keeps the kernel's writeback out of what is timed.
    static func writeTree(_ size: Int, home: String) throws {
        var rng = SystemRandomNumberGenerator()
        let project = ProjectName(validating: "bench")!
        for i in 0..<size {
            let blockers =
                i == 0
                ? []
                : Set((0..<Int.random(in: 0...2, using: &rng)).map { _ in TaskID(validating: "t\(Int.random(in: 0..<i, using: &rng))")! })
            let record = TaskRecord(
                id: TaskID(validating: "t\(i)")!, project: project, branch: "b\(i)", status: i % 3 == 0 ? .done : .pending,
                description: "task \(i)", blockedBy: blockers.sorted(), createdAt: Timestamp(millisecondsSinceEpoch: Int64(i)),
                body: "## Notes\n\nbench\n")
            let folder = "\(home)/tasks/bench/t\(i)"
            try FileSystem.makeDirectories(folder)
            let fd = open(folder + "/TASK.md", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
            guard fd >= 0 else { throw SystemError.current("open", path: folder) }
            try AtomicFile.writeAll(fd, Array(record.rendered().utf8), path: folder + "/TASK.md")
            close(fd)
        }
        sync()
    }
}
