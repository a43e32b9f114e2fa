@preconcurrency import Glibc
import OrangeCore
import OrangeSystem

/// A tasks tree shaped like one agents have worked in for months: generated 21-character ids,
/// branch names and descriptions of real length, and 2–6 KB of Markdown notes per task (plans,
/// findings, commands run), rather than the 16-byte bodies of the scale benchmark. A third of
/// the tasks are done; each has 0–2 `blocked_by` edges to older tasks, and some are
/// sub-tasks of an older delegated task (written on both sides, as `orange` writes them).
enum RealisticTree {
    /// Writes `count` tasks into `<home>/tasks/bench/`, the same tree for the same seed.
    static func write(count: Int, home: String, seed: UInt64 = 18) throws {
        var rng = SplitMix(seed: seed)
        let project = ProjectName(validating: "bench")!
        let ids = (0..<count).map { _ in TaskID.generate(using: &rng) }
        var records: [TaskRecord] = []
        records.reserveCapacity(count)
        for i in 0..<count {
            var blockers: Set<TaskID> = []
            if i > 0 { for _ in 0..<Int.random(in: 0...2, using: &rng) { blockers.insert(ids[Int.random(in: 0..<i, using: &rng)]) } }
            let slug = words.shuffled(using: &rng).prefix(4).joined(separator: "-")
            let created = 1_767_225_600_000 + Int64(i) * 60_000
            records.append(
                TaskRecord(
                    id: ids[i], project: project, branch: "orange/\(slug)-\(i)", status: i % 3 == 0 ? .done : .pending,
                    description: "Make the \(slug.replacing("-", with: " ")) path handle \(i) retries without losing state",
                    blockedBy: blockers.sorted(), createdAt: Timestamp(millisecondsSinceEpoch: created),
                    updatedAt: Timestamp(millisecondsSinceEpoch: created + 3_600_000), body: notes(i, using: &rng)))
        }
        // Sub-tasks: one in ten names an older open task as its parent, which lists it back and is
        // delegated. The sub-task is pending, so the engine's catch-up completes nothing and every
        // run starts on the same tree.
        for i in stride(from: 10, to: count, by: 10) {
            let parent = Int.random(in: 0..<i, using: &rng)
            guard records[parent].status != .done else { continue }
            records[i].parent = ids[parent]
            records[i].status = .pending
            records[parent].children.append(ids[i])
            records[parent].status = .delegated
        }
        for record in records {
            // Plain writes, no fsync: the tree is the input, and 100k fsyncs took minutes.
            let folder = "\(home)/tasks/bench/\(record.id)"
            try FileSystem.makeDirectories(folder)
            let fd = open(folder + "/TASK.md", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
            guard fd >= 0 else { throw SystemError.current("open", path: folder) }
            defer { close(fd) }
            try AtomicFile.writeAll(fd, Array(record.rendered().utf8), path: folder + "/TASK.md")
            // Its history, written after the file as orange writes it, with the status the file
            // holds: without it the engine's first catch-up records a status change for each task
            // (an fsync'd line each), once, and the first run would measure that.
            let created = HistoryEvent(
                type: "task.created", timestamp: record.createdAt!,
                fields: [("task_id", .string(record.id.rawValue)), ("status", .string(record.status.rawValue))])
            let history = open(folder + "/history.jsonl", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
            guard history >= 0 else { throw SystemError.current("open", path: folder) }
            defer { close(history) }
            try AtomicFile.writeAll(history, Array((created.json.rendered() + "\n").utf8), path: folder + "/history.jsonl")
        }
        // Flushed, so the kernel's writeback of the tree is not measured.
        sync()
    }

    /// 2–6 KB of notes: the sections an agent keeps in its TASK.md.
    private static func notes(_ i: Int, using rng: inout SplitMix) -> String {
        let target = Int.random(in: 2_048...6_144, using: &rng)
        var text = "## Plan\n\n"
        var section = 0
        while text.utf8.count < target {
            let sentence = (0..<Int.random(in: 8...16, using: &rng)).map { _ in words.randomElement(using: &rng)! }
                .joined(separator: " ")
            switch Int.random(in: 0..<10, using: &rng) {
            case 0:
                section += 1
                text += "\n## \(["Findings", "Log", "Open questions", "Review notes"][section % 4])\n\n"
            case 1:
                let suite = words.randomElement(using: &rng)!
                text += "```sh\nswift test --filter \(suite.prefix(1).uppercased() + suite.dropFirst())Tests  # \(i)\n```\n\n"
            case 2, 3: text += "- [x] \(sentence).\n"
            default: text += sentence.prefix(1).uppercased() + String(sentence.dropFirst()) + ".\n\n"
            }
        }
        return text
    }

    private static let words = [
        "engine", "graph", "reducer", "watcher", "inotify", "status", "blocker", "parent", "child", "workspace",
        "session", "tmux", "spawn", "review", "merge", "branch", "commit", "rebase", "conflict", "retry", "timeout",
        "lock", "rename", "fsync", "queue", "overflow", "resync", "cookie", "sweep", "reconcile", "agent", "prompt",
        "harness", "pool", "worktree", "release", "ready", "pending", "delegated", "done", "cancelled", "history",
        "journal", "dashboard", "render", "keystroke", "socket", "memory", "heap", "arena", "parse", "frontmatter",
    ]
}

/// SplitMix64: the same tree for the same seed, on every run.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
