@preconcurrency import Glibc
import OrangeCore
import OrangeSystem

/// Part of `orange-bench decode`: the start-up catch-up's question of a task whose TASK.md is
/// newer than its history, "which status did the history record last?", answered by reading and
/// parsing the whole `history.jsonl` and by reading it from its end (`TaskFolderChecks`), for a
/// history of one line (as `task create` leaves it) and of 40 lines (a task that ran a while).
enum HistoryStatusBenchmark {
    static func run(files: Int = 5_000, rounds: Int = 5) throws -> String {
        var template = Array("/tmp/orange-history-XXXXXX".utf8CString)
        let home = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)!) }
        defer { try? FileSystem.removeTree(home) }
        let store = FileTaskStore(layout: DataDirectory(home: home))
        let project = ProjectName(validating: "bench")!
        let at = Timestamp(millisecondsSinceEpoch: 1_764_000_000_000)
        var rows = ""
        for (name, lines) in [("short", 1), ("long", 40)] {
            let id = TaskID(validating: name)!
            try store.create(TaskRecord(id: id, project: project, branch: "b-\(name)"))
            try store.appendHistory(
                HistoryEvent(type: "task.created", timestamp: at, fields: [("status", "pending")]), for: id, in: project)
            for line in 1..<lines {
                let event =
                    line % 4 == 0
                    ? HistoryEvent.statusChanged(from: .pending, to: .working, by: .engine, cause: "spawned", at: at)
                    : HistoryEvent(type: "agent.note", timestamp: at, fields: [("text", .string(String(repeating: "n", count: 80)))])
                try store.appendHistory(event, for: id, in: project)
            }
            let checks = store.folderChecks(in: project)
            let whole = perFile(files: files, rounds: rounds) { (try? store.history(of: id, in: project))?.lastRecordedStatus }
            let tail = perFile(files: files, rounds: rounds) { checks.lastRecordedStatus(id) }
            rows += "| \(lines) line\(lines == 1 ? "" : "s") | \(Bench.format(whole)) | \(Bench.format(tail)) |\n"
        }
        return """
            | a history's last recorded status (one thread) | whole file read and parsed, µs | from its end, µs |
            |---|---|---|
            \(rows)
            """
    }

    private static func perFile(files: Int, rounds: Int, _ body: () -> TaskStatus?) -> Double {
        let clock = SystemClock()
        var samples: [Double] = []
        var sink = 0
        for _ in 0..<rounds {
            let begin = clock.monotonicNanoseconds()
            for _ in 0..<files { sink &+= body() == nil ? 0 : 1 }
            samples.append(Double(clock.monotonicNanoseconds() - begin) / 1e3 / Double(files))
        }
        precondition(sink > 0, "no history was read")
        return Bench.percentile(samples, 0.5)
    }
}
