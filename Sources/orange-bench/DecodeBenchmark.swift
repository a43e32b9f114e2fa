import OrangeCore
import OrangeSystem

/// `orange-bench decode`: the in-process cost of turning one TASK.md into a task, split into its
/// stages, on one thread. Every read of the tree (`task list`, engine start-up, each event) pays
/// it per file, so it is the figure to watch when the parser changes; process timings of a
/// whole `task list` vary too much on a shared machine to show a 10% change.
enum DecodeBenchmark {
    static func run(files: Int = 20_000, rounds: Int = 7) -> String {
        let record = TaskRecord(
            id: TaskID(validating: "t1234")!, project: ProjectName(validating: "bench")!, branch: "feature/login-1234",
            status: .pending, description: "Make the login page remember the last user (task 1234)",
            blockedBy: [TaskID(validating: "t17")!, TaskID(validating: "t345")!],
            createdAt: Timestamp(millisecondsSinceEpoch: 1_764_000_000_000),
            extra: [FrontmatterEntry(key: "priority", value: .plain("high"))],
            body: "## Notes\n\nKeep the session cookie; see the design doc.\n\n- [ ] tests\n- [ ] docs\n")
        let text = record.rendered()
        let bytes = Array(text.utf8)
        let clock = SystemClock()
        func perFile(_ body: () -> Void) -> Double {
            var samples: [Double] = []
            for _ in 0..<rounds {
                let begin = clock.monotonicNanoseconds()
                for _ in 0..<files { body() }
                samples.append(Double(clock.monotonicNanoseconds() - begin) / 1e3 / Double(files))
            }
            return Bench.percentile(samples, 0.5)
        }
        var sink = 0
        let parse = perFile { sink &+= (try? FrontmatterCodec.parse(text))?.entries.count ?? 0 }
        let document = try! FrontmatterCodec.parse(text)
        let fields = perFile { sink &+= (try? TaskRecord(document: document))?.blockedBy.count ?? 0 }
        let decode = perFile {
            if case .success(let task) = TaskFileDecoder.decode(bytes, folderID: record.id, folderProject: record.project) {
                sink &+= task.blockedBy.count
            }
        }
        // The engine's read: the quick scan of the shapes orange writes, the body dropped.
        let quick = perFile {
            if case .success(let task) = TaskFileDecoder.decodeQuickly(
                bytes, folderID: record.id, folderProject: record.project, keepingBody: false)
            {
                sink &+= task.blockedBy.count
            }
        }
        precondition(sink > 0, "the sample TASK.md did not decode")
        return """
            | stage (one \(bytes.count)-byte TASK.md, one thread) | µs per file (median of \(rounds) rounds of \(files)) |
            |---|---|
            | front matter parse | \(Bench.format(parse)) |
            | known keys checked into a task | \(Bench.format(fields)) |
            | whole decode (UTF-8 check, parse, task, folder checks) | \(Bench.format(decode)) |
            | the engine's quick decode, without the body (`decodeQuickly`) | \(Bench.format(quick)) |

            """
    }
}
