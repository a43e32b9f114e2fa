import OrangeCore
import OrangeTestSupport
import Testing

/// Seeded random mutations of the TASK.md corpus, through the same decoding the store uses.
///
/// Properties: no crash, no input takes long, every rejection names a line inside the file and a
/// reason, and whatever is accepted re-renders and re-reads to the same task, with its unknown
/// keys and its body kept. Short by default; `ORANGE_FUZZ_ITERATIONS=200000` for a long run,
/// `ORANGE_FUZZ_SEED` to replay.
@Suite struct FrontmatterFuzzTests {
    static let folderID = TaskID(validating: FrontmatterFuzzCorpus.id)!
    static let folderProject = ProjectName(validating: FrontmatterFuzzCorpus.project)!

    /// Pieces of YAML syntax, encodings and line structure that mutations splice in.
    static let tokens: [[UInt8]] =
        [
            "\n", "\r\n", "\r", "---\n", "--- ", "...", "  ", "\t", "- ", "-", ": ", ":", "#", " #", "'", "''", "\"", "\\", "\\u", "\\x4",
            "\\U0001F600", "[", "]", ",", "{", "}", "|", "|-", "|+", "|2", ">", ">-", "&a ", "*a", "!!str ", "!", "%", "?", "@", "`",
            "null", "~", "yes", "0x1F", "2026-02-01T04:48:33.123Z", "id: T1\n", "status: done\n", "blocked_by:\n  - A1\n",
            "children: [C1]\n",
            "parent: P1\n", "owner: dana\n", "description: |\n  text\n", "\u{FEFF}", "é", "😀", "\u{2028}", "\u{85}", "\u{1B}[31m", "\u{0}",
        ].map { Array($0.utf8) } + [[0xFF], [0xC3], [0xE2, 0x82], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80]]

    @Test(.timeLimit(.minutes(5)))
    func mutatedTaskFilesAreRejectedWithALineOrReadBackExactly() throws {
        let corpus = (FrontmatterFuzzCorpus.valid + FrontmatterFuzzCorpus.nasty).map { Array($0.utf8) }
        let seed = FuzzBudget.seed(default: 0x7A5C_2026)
        var rng = SeededRandom(seed: seed)
        var accepted = 0, rejected = 0
        var slowest: Duration = .zero
        let clock = ContinuousClock()
        var failures = 0
        for iteration in 0..<FuzzBudget.iterations(default: 2500) where failures < 10 {
            let input = Self.mutate(corpus[Int(rng.next() % UInt64(corpus.count))], corpus: corpus, rng: &rng)
            var outcome: Result<TaskRecord, TaskFileDecoder.Problem>?
            let took = clock.measure {
                outcome = TaskFileDecoder.decode(input, folderID: Self.folderID, folderProject: Self.folderProject)
            }
            slowest = max(slowest, took)
            var problems: [String] = []
            if took > .seconds(2) { problems.append("took \(took)") }
            switch outcome! {
            case .failure(let problem):
                rejected += 1
                let lines = Self.lineCount(input)
                if !(problem.line.map { (1...lines).contains($0) } ?? false) {
                    problems.append("rejected at line \(problem.line.map(String.init) ?? "nil") of \(lines) (\(problem.reason))")
                }
                if problem.reason.isEmpty { problems.append("rejected without a reason") }
            case .success(let task):
                accepted += 1
                problems += Self.roundTripProblems(task, input: input)
            }
            if !problems.isEmpty {
                failures += 1
                // The seed and iteration replay the case: ORANGE_FUZZ_SEED=<seed>, same iterations.
                Issue.record(
                    "seed \(seed), iteration \(iteration): \(problems.joined(separator: "; ")); input: \(String(decoding: input, as: UTF8.self).debugDescription.prefix(600))"
                )
            }
        }
        // The mutations must keep a fair share of files valid, or the round trip is never tested.
        #expect(accepted >= 100 && rejected >= 100, "accepted \(accepted), rejected \(rejected)")
        #expect(slowest < .seconds(2))
    }

    @Test func everyValidSeedIsValid() throws {
        for text in FrontmatterFuzzCorpus.valid {
            let task = try TaskRecord.parse(text)
            #expect(task.id == Self.folderID && task.project == Self.folderProject)
            #expect(Self.roundTripProblems(task, input: Array(text.utf8)) == [], "\(text.debugDescription)")
        }
    }

    /// Render, read again, compare: same fields (quoted or plain, the same text), the same
    /// unknown keys in the same order, the same body byte for byte, and a stable rendering.
    /// Returns what differs.
    static func roundTripProblems(_ task: TaskRecord, input: [UInt8]) -> [String] {
        let rendered = task.rendered()
        let again: TaskRecord
        do {
            again = try TaskRecord.parse(rendered)
        } catch {
            return ["its rendered form does not read back (\(error)): \(rendered.debugDescription)"]
        }
        var problems: [String] = []
        if Array(again.rendered().utf8) != Array(rendered.utf8) { problems.append("rendering is not stable") }
        var known = again, original = task
        known.extra = []
        original.extra = []
        if known != original { problems.append("read back as \(again), not \(task)") }
        // String == compares canonical equivalence; the file must keep the exact scalars.
        for (a, b) in [(again.body, task.body), (again.description, task.description), (again.lastError ?? "", task.lastError ?? "")]
        where Array(a.unicodeScalars) != Array(b.unicodeScalars) {
            problems.append("text changed: \(b.debugDescription) became \(a.debugDescription)")
        }
        guard let text = String(validating: input, as: UTF8.self), let document = try? FrontmatterCodec.parse(text) else {
            return problems + ["accepted, but does not parse as a document"]
        }
        // Unknown keys: as in the file, in order, with the same text.
        let unknown = document.entries.filter { !TaskRecord.knownKeys.contains($0.key) }
        if again.extra.map(\.key) != unknown.map(\.key) || !zip(again.extra, unknown).allSatisfy({ $0.value.sameText(as: $1.value) }) {
            problems.append("unknown keys changed: \(unknown) became \(again.extra)")
        }
        if Array(again.body.utf8) != Array(document.body.utf8) { problems.append("body changed") }
        return problems
    }

    /// 1 + the line breaks (`\r\n` counts once), the way the reader numbers lines.
    static func lineCount(_ bytes: [UInt8]) -> Int {
        var count = 1
        var index = 0
        while index < bytes.count {
            if bytes[index] == 0x0A {
                count += 1
            } else if bytes[index] == 0x0D {
                count += 1
                if index + 1 < bytes.count && bytes[index + 1] == 0x0A { index += 1 }
            }
            index += 1
        }
        return count
    }

    /// One to four random edits: delete, insert a token or random bytes, repeat a token many
    /// times, duplicate, swap or splice lines, truncate, flip a byte, change line endings.
    static func mutate(_ original: [UInt8], corpus: [[UInt8]], rng: inout SeededRandom) -> [UInt8] {
        var bytes = original
        func below(_ n: Int) -> Int { n <= 0 ? 0 : Int(rng.next() % UInt64(n)) }
        for _ in 0..<(1 + below(4)) {
            let at = below(bytes.count + 1)
            switch below(11) {
            case 0 where !bytes.isEmpty:
                bytes.removeSubrange(min(at, bytes.count - 1)..<min(bytes.count, at + 1 + below(8)))
            case 1, 2:
                bytes.insert(contentsOf: tokens[below(tokens.count)], at: at)
            case 3:
                bytes.insert(contentsOf: (0..<(1 + below(4))).map { _ in UInt8(truncatingIfNeeded: rng.next()) }, at: at)
            case 4 where bytes.count < 100_000:
                let token = tokens[below(tokens.count)]
                bytes.insert(contentsOf: Array([[UInt8]](repeating: token, count: 1 + below(1500)).joined()), at: at)
            case 5, 6:
                var lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false).map(Array.init)
                guard lines.count > 1 else { continue }
                let a = below(lines.count), b = below(lines.count)
                switch below(3) {
                case 0: lines.insert(lines[a], at: b)
                case 1: lines.swapAt(a, b)
                default:
                    let other = corpus[below(corpus.count)].split(separator: 0x0A, omittingEmptySubsequences: false)
                    lines[a] = Array(other[below(other.count)])
                }
                bytes = Array(lines.joined(separator: [0x0A]))
            case 7 where !bytes.isEmpty:
                bytes.removeSubrange(at..<bytes.count)
            case 8 where !bytes.isEmpty:
                bytes[min(at, bytes.count - 1)] ^= UInt8(1) << UInt8(below(8))
            case 9:
                let ending: [UInt8] = below(2) == 0 ? [0x0D, 0x0A] : [0x0D]
                bytes = Array(bytes.split(separator: 0x0A, omittingEmptySubsequences: false).joined(separator: ending))
            default:
                // A valid file's known key replaced by a neighbour's value: shapes the readers must check.
                bytes.insert(contentsOf: Array("\(TaskRecord.knownKeys[below(TaskRecord.knownKeys.count)]): ".utf8), at: at)
            }
        }
        return bytes
    }
}
