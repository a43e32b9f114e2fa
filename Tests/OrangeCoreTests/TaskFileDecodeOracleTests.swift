import OrangeCore
import OrangeTestSupport
import Testing

@testable import OrangeCore

/// The decoder reads the bytes directly (no String of the whole file, a faster UTF-8 check, and
/// no body string when the reader drops it). The oracle is the decoding it replaced: the whole
/// file as a validated String, parsed as text. Both must say the same thing about every file.
@Suite struct TaskFileDecodeOracleTests {
    typealias Decoded = Result<(task: TaskRecord, document: FrontmatterDocument), TaskFileDecoder.Problem>

    /// The decoding before the byte path, kept as the test's oracle.
    static func oracle(_ bytes: [UInt8], folderID: TaskID, folderProject: ProjectName) -> Decoded {
        guard let text = String(validating: bytes, as: UTF8.self) else {
            let offset = TaskFileDecoder.firstInvalidUTF8Offset(bytes)
            let line = bytes[..<offset].reduce(1) { $1 == UInt8(ascii: "\n") ? $0 + 1 : $0 }
            return .failure(TaskFileDecoder.Problem(line: line, reason: "is not valid UTF-8 (byte \(offset))"))
        }
        let document: FrontmatterDocument
        let task: TaskRecord
        do throws(FrontmatterError) {
            document = try FrontmatterCodec.parse(text)
            task = try TaskRecord(document: document)
        } catch {
            return .failure(TaskFileDecoder.Problem(line: error.line, reason: error.reason))
        }
        if task.id != folderID {
            return .failure(
                TaskFileDecoder.Problem(
                    line: document.entry("id")?.line, reason: "id '\(task.id)' does not match its folder '\(folderID)'", claimedID: task.id)
            )
        }
        if task.project != folderProject {
            return .failure(
                TaskFileDecoder.Problem(
                    line: document.entry("project")?.line,
                    reason: "project '\(task.project)' does not match its folder '\(folderProject)'"))
        }
        return .success((task, document))
    }

    /// What differs between the new decoding of `bytes` (with and without the body) and the oracle's.
    static func differences(_ bytes: [UInt8]) -> [String] {
        let id = FrontmatterFuzzTests.folderID, project = FrontmatterFuzzTests.folderProject
        let expected = oracle(bytes, folderID: id, folderProject: project)
        var problems: [String] = []
        for keepingBody in [true, false] {
            let actual = TaskFileDecoder.decodeDocument(bytes, folderID: id, folderProject: project, keepingBody: keepingBody)
            // The engine's quick decoding must say exactly what the full one says.
            let quick = TaskFileDecoder.decodeQuickly(bytes, folderID: id, folderProject: project, keepingBody: keepingBody)
            switch (expected, quick) {
            case (.success(let old), .success(let new)):
                let oldTask = keepingBody ? old.task : old.task.withoutBody
                if new != oldTask || new.extra.map(\.line) != oldTask.extra.map(\.line) {
                    problems.append("keepingBody \(keepingBody): quick task differs")
                }
            case (.failure(let old), .failure(let new)):
                if old != new { problems.append("keepingBody \(keepingBody): quick \(old) != \(new)") }
            default:
                problems.append("keepingBody \(keepingBody): oracle \(expected.isSuccess), quick \(quick.isSuccess)")
            }
            switch (expected, actual) {
            case (.success(let old), .success(let new)):
                let oldTask = keepingBody ? old.task : old.task.withoutBody
                var oldDocument = old.document
                if !keepingBody { oldDocument.body = "" }
                if new.task != oldTask { problems.append("keepingBody \(keepingBody): task differs") }
                if new.document != oldDocument { problems.append("keepingBody \(keepingBody): document differs") }
            case (.failure(let old), .failure(let new)):
                if old != new { problems.append("keepingBody \(keepingBody): \(old) != \(new)") }
            default:
                problems.append("keepingBody \(keepingBody): oracle \(expected.isSuccess), new \(actual.isSuccess)")
            }
        }
        return problems
    }

    @Test func seededMutationsDecodeAsTheOracleDoes() {
        let corpus = (FrontmatterFuzzCorpus.valid + FrontmatterFuzzCorpus.nasty).map { Array($0.utf8) }
        let seed = FuzzBudget.seed(default: 0x5EAD_2026)
        var rng = SeededRandom(seed: seed)
        var accepted = 0, rejected = 0, failures = 0
        for iteration in 0..<FuzzBudget.iterations(default: 3000) where failures < 10 {
            let input =
                iteration < corpus.count
                ? corpus[iteration] : FrontmatterFuzzTests.mutate(corpus[Int(rng.next() % UInt64(corpus.count))], corpus: corpus, rng: &rng)
            let problems = Self.differences(input)
            if TaskFileDecoder.decode(input, folderID: FrontmatterFuzzTests.folderID, folderProject: FrontmatterFuzzTests.folderProject)
                .isSuccess
            {
                accepted += 1
            } else {
                rejected += 1
            }
            if !problems.isEmpty {
                failures += 1
                Issue.record(
                    "seed \(seed), iteration \(iteration): \(problems.joined(separator: "; ")); input: \(String(decoding: input, as: UTF8.self).debugDescription.prefix(400))"
                )
            }
        }
        #expect(accepted >= 100 && rejected >= 100, "accepted \(accepted), rejected \(rejected)")
    }

    @Test func namedShapesDecodeAsTheOracleDoes() {
        let valid = "---\nid: T1\nproject: coffee\nstatus: pending\nowner: dana\n---\n## Notes\n\nbody é\n"
        let cases: [String] = [
            valid,
            valid.replacingOccurrences("\n", with: "\r\n"),  // CRLF
            valid.replacingOccurrences("\n", with: "\r"),  // lone CR
            "\u{FEFF}" + valid,  // byte order mark
            "---\nid: T1\nproject: coffee\nstatus: pending\nmood: [a, b]\nnotes: |\n  kept\n---\n",  // unknown keys
            "---\nid: T1\nproject: coffee\nstatus: pending\n",  // no closing fence
            "---\nid: T1\nproject: coffee\nstatus: pending\n---",  // fence without a line break
            "---\nid: T1\nid: T2\nproject: coffee\n---\n",  // duplicate key
            "---\nid: T2\nproject: coffee\n---\n",  // another folder's id
            "---\nid: T1\nproject: tea\n---\n",  // another folder's project
            "---\nid: T1\nproject: coffee\nstatus: [x\n---\n",  // malformed value
            "", "---", "---\n---\n", "no front matter\n",
        ]
        for text in cases {
            #expect(Self.differences(Array(text.utf8)) == [], "\(text.debugDescription)")
        }
        var bytes = Array(valid.utf8)
        for position in [0, 5, 7, 8, 9, 16, bytes.count - 1] {
            for bad: [UInt8] in [[0xFF], [0xC3], [0xED, 0xA0, 0x80], [0xE2, 0x82]] {
                var broken = bytes
                broken.insert(contentsOf: bad, at: position)
                #expect(Self.differences(broken) == [], "\(bad) at \(position)")
            }
        }
        bytes = Array(repeating: UInt8(ascii: "a"), count: 40) + [0xC3]
        #expect(Self.differences(bytes) == [])
    }

    /// The word-at-a-time ASCII check with the standard library's decision after it agrees with
    /// the standard library alone, wherever the first non-ASCII byte sits.
    @Test func utf8CheckAgreesWithTheStandardLibrary() {
        var rng = SeededRandom(seed: FuzzBudget.seed(default: 0x0077_F8))
        let pieces: [[UInt8]] = [
            [0x41], [0x0A], [0xC3, 0xA9], [0xE2, 0x80, 0x94], [0xF0, 0x9F, 0x98, 0x80], [0xFF], [0xC3], [0x80], [0xED, 0xA0, 0x80],
        ]
        for _ in 0..<FuzzBudget.iterations(default: 20_000) {
            var bytes: [UInt8] = []
            for _ in 0..<Int(rng.next() % 24) {
                bytes += rng.next() % 4 == 0 ? pieces[Int(rng.next() % UInt64(pieces.count))] : [UInt8(rng.next() % 0x80)]
            }
            let expected = String(validating: bytes, as: UTF8.self) != nil
            #expect(TaskFileDecoder.isValidUTF8(bytes) == expected, "\(bytes)")
        }
    }
}

extension Result {
    fileprivate var isSuccess: Bool {
        if case .success = self { return true }
        return false
    }
}

extension String {
    fileprivate func replacingOccurrences(_ target: String, with replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
