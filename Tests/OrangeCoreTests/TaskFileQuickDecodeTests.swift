import OrangeCore
import OrangeTestSupport
import Testing

@testable import OrangeCore

/// The engine's quick decoding (`TaskFileDecoder.decodeQuickly`, `FrontmatterQuickScan`) against
/// the full one, on files shaped like the ones orange writes and perturbed line by line around
/// every rule of the quick scan: it must give the same record, or the same problem (line and
/// reason), for every file. `TaskFileDecodeOracleTests.differences` compares both with the oracle.
@Suite struct TaskFileQuickDecodeTests {
    static let texts = [
        "Fix login redirect", "a: b", "x #y", "x#y", "#tag", "- item", "-x", "'q'", "\"dq\"", "é", "tab\tx", "back\\slash",
        "null", "Null", "~", "true", "5", "  lead", "trail  ", "[x]", "{y}", "a,b", "", "multi\nline", ":", "key:", "a:b",
        "@at", "`bt`", "%p", "&a", "*s", "!t", "?q", "|", ">", "it's", "say \"hi\"", "\u{85}nel", "ctl\u{7}", "a  b", ".dot",
        "_u", "(p)", "/slash", "=", "<<",
    ]
    static let ids = ["A1", "B2", "T1", "c3", "null", "a-b", "x y", "T1"]

    /// A record orange could write, with random values in every field.
    static func randomRecord(_ rng: inout SeededRandom) -> TaskRecord {
        func below(_ n: Int) -> Int { Int(rng.next() % UInt64(n)) }
        func pick<T>(_ values: [T]) -> T { values[below(values.count)] }
        func chance(_ n: Int) -> Bool { below(n) == 0 }
        func idList() -> [TaskID] { (0..<below(4)).compactMap { _ in TaskID(validating: pick(ids)) } }
        var record = TaskRecord(
            id: TaskID(validating: FrontmatterFuzzCorpus.id)!, project: ProjectName(validating: FrontmatterFuzzCorpus.project)!,
            branch: pick(["orange/fix-login-42", "feature/x", "a"]), status: pick(TaskStatus.allCases), description: pick(texts))
        record.harness = pick(["claude", "codex", "claude"])
        record.parent = chance(3) ? TaskID(validating: pick(ids)) : nil
        record.blockedBy = idList()
        record.children = idList()
        record.reassessed = chance(4) ? idList() : []
        record.createdAt = chance(4) ? nil : Timestamp(millisecondsSinceEpoch: 1_700_000_000_000 + Int64(below(1_000_000_000)))
        record.updatedAt = chance(4) ? nil : Timestamp(millisecondsSinceEpoch: 1_700_000_000_000 + Int64(below(1_000_000_000)))
        if chance(4) { record.workspace = "coffee--\(below(9))" }
        if chance(4) { record.tmuxSession = "coffee/orange-tasks/T1" }
        if chance(5) { record.prURL = "https://example.invalid/pr/\(below(99))" }
        if chance(5) { record.spawnFailures = below(3) }
        if chance(5) { record.lastError = pick(texts) }
        if chance(6) { record.hold = pick(["", "waiting: review", "because"]) }
        if chance(6) { record.execution = pick(ExecutionMode.allCases) }
        if chance(6) { record.branches = pick(BranchModel.allCases) }
        for _ in 0..<(chance(3) ? below(3) : 0) {
            let value: YAMLValue = pick([.plain(pick(texts)), .string(pick(texts)), .null, .list([.plain("a"), .string("b c")])])
            record.extra.append(FrontmatterEntry(key: pick(["owner", "mood", "x.y", "k-1", "_k", "Owner"]), value: value))
        }
        record.body = pick(["", "## Notes\n\nbody é\n", "---\nnot a fence to the reader\n", "x"])
        return record
    }

    /// One change to one line of the front matter, chosen to sit on an edge of the quick scan.
    static func perturb(_ bytes: [UInt8], _ rng: inout SeededRandom) -> [UInt8] {
        func below(_ n: Int) -> Int { n <= 0 ? 0 : Int(rng.next() % UInt64(n)) }
        var lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let fence = lines.dropFirst().firstIndex(of: "---") ?? lines.count
        guard fence > 1 else { return bytes }
        let row = 1 + below(fence - 1)
        var line = lines[row]
        let edits: [(String) -> String] = [
            { $0 + " # c" }, { $0 + "#c" }, { $0 + "  " }, { " " + $0 }, { "\t" + $0 }, { $0 + "\t" },
            { $0.replacingFirst(": ", with: ":") }, { $0.replacingFirst(": ", with: ":  ") }, { $0.replacingFirst(": ", with: " : ") },
            { $0.replacingFirst(": ", with: ":\n  ") }, { $0.replacingFirst(": ", with: ":\n") },
            { $0.replacingFirst(": ", with: ":\n- ") },
            { $0.replacingFirst("'", with: "\"") }, { $0.replacingFirst("'", with: "") }, { $0 + "'" },
            { $0.replacingFirst("'", with: "''") },
            { $0.replacingFirst("]", with: ", ]") }, { $0.replacingFirst("[", with: "[,") }, { $0.replacingFirst("]", with: "") },
            { $0.replacingFirst(", ", with: ",,") }, { $0.replacingFirst(", ", with: " ,") }, { $0.replacingFirst("[]", with: "[ ]") },
            { $0.replacingFirst("[", with: "[null, ") }, { $0.replacingFirst("]", with: "] x") },
            { $0.replacingFirst("[", with: "['a''b', ") },
            { $0.replacingFirst(": ", with: ": \"a\\nb\" ") }, { $0 + ":" }, { $0 + ": x" }, { $0.uppercased() }, { $0 + "\r" },
            { $0.replacingFirst(": ", with: ": |\n  ") }, { $0.replacingFirst(": ", with: ": ~") },
            { $0.replacingFirst(": ", with: ": é") },
            { $0.replacingFirst(": ", with: ": [a,b]") }, { $0.replacingFirst(": ", with: ": ['x', \"y\" ,z/w.v-u]") },
        ]
        switch below(6) {
        case 0: lines.insert(pick(["", "# comment", "  ", "owner: dana", "id: T1", "  more"], &rng), at: row)
        case 1: lines.insert(line, at: row)
        case 2: lines.swapAt(row, 1 + below(fence - 1))
        case 3 where fence < lines.count: lines[fence] = pick(["--- ", "----", "...", "---\r"], &rng)
        default:
            line = edits[below(edits.count)](line)
            lines[row] = line
        }
        return Array(lines.joined(separator: "\n").utf8)
    }

    static func pick<T>(_ values: [T], _ rng: inout SeededRandom) -> T { values[Int(rng.next() % UInt64(values.count))] }

    @Test func perturbedOrangeFilesDecodeQuicklyAsTheOracleDoes() {
        let seed = FuzzBudget.seed(default: 0x0901_C4DE)
        var rng = SeededRandom(seed: seed)
        var quicklyAccepted = 0, accepted = 0, rejected = 0, failures = 0
        for iteration in 0..<FuzzBudget.iterations(default: 6000) where failures < 10 {
            var bytes = Array(Self.randomRecord(&rng).rendered().utf8)
            for _ in 0..<Int(rng.next() % 3) { bytes = Self.perturb(bytes, &rng) }
            let outcome = bytes.withUnsafeBufferPointer { FrontmatterQuickScan.scan($0) }
            if outcome != nil { quicklyAccepted += 1 }
            let decoded = TaskFileDecoder.decode(
                bytes, folderID: FrontmatterFuzzTests.folderID, folderProject: FrontmatterFuzzTests.folderProject)
            if case .success = decoded { accepted += 1 } else { rejected += 1 }
            let problems = TaskFileDecodeOracleTests.differences(bytes)
            if !problems.isEmpty {
                failures += 1
                Issue.record(
                    "seed \(seed), iteration \(iteration): \(problems.joined(separator: "; ")); input: \(String(decoding: bytes, as: UTF8.self).debugDescription.prefix(600))"
                )
            }
        }
        #expect(
            quicklyAccepted >= 1000 && accepted >= 1000 && rejected >= 500,
            "quick \(quicklyAccepted), \(accepted) accepted, \(rejected) rejected")
    }

    /// What orange writes for a plain task is read by the quick scan, not handed to the full
    /// reader: the start-up's time depends on it.
    @Test func orangesOwnFilesTakeTheQuickScan() {
        var rng = SeededRandom(seed: FuzzBudget.seed(default: 0x0007_A5C4))
        for _ in 0..<500 {
            var record = Self.randomRecord(&rng)
            record.description = Self.pick(["Fix login redirect", "Make the 42 retries work", "x"], &rng)
            record.lastError = record.lastError.map { _ in "spawn failed: tmux: no server" }
            record.extra = []
            record.hold = record.hold.map { _ in "because" }
            let bytes = Array(record.rendered().utf8)
            let scan = bytes.withUnsafeBufferPointer { FrontmatterQuickScan.scan($0) }
            #expect(scan != nil, "\(record.rendered().debugDescription)")
            let decoded = TaskFileDecoder.decodeQuickly(bytes, folderID: record.id, folderProject: record.project)
            let full = TaskFileDecoder.decode(bytes, folderID: record.id, folderProject: record.project)
            #expect((try? decoded.get()) != nil && (try? decoded.get()) == (try? full.get()))
        }
    }

    @Test func namedEdgesDecodeQuicklyAsTheOracleDoes() {
        let head = "---\nid: T1\nproject: coffee\nstatus: pending\n"
        let cases = [
            head + "---\n", head + "---", head + "--- \n", head + "---\r\n", head + "parent:\n---\n", head + "parent:\n  P1\n---\n",
            head + "parent:\n# c\n---\n", head + "parent:\n\n---\n", head + "blocked_by:\n- A1\n---\n",
            head + "blocked_by: [A1, A1, B2]\n---\n",
            head + "blocked_by: [A1,]\n---\n", head + "blocked_by: [null]\n---\n", head + "blocked_by: [ ]\n---\n",
            head + "blocked_by: A1\n---\n",
            head + "description: a\n  b\n---\n", head + "description: a\n\n---\n", head + "description: 'a''b'\n---\n",
            head + "description: \"a\\tb\"\n---\n", head + "description: a #b\n---\n", head + "description: a:\n---\n",
            head + "owner: x\nowner: y\n---\n", head + "status: pending\n---\n", head + "id: T1\n---\n",
            head + "x: [a, 'b c', \"d\"]\n---\n",
            head + "hold: true\n---\n", head + "hold: 'false'\n---\n", head + "spawn_failures: 012\n---\n",
            head + "created_at: 2026\n---\n",
            "---\nid: T2\nproject: coffee\nstatus: pending\n---\n", "---\nid: T1\nproject: tea\nstatus: pending\n---\n",
            "---\nproject: coffee\nstatus: pending\n---\n", head + "branch: -x\n---\n", head + "branch: null\n---\n",
            head + "harness: ''\n---\n", head + "execution: [a]\n---\n", head + "k:\n---\n", head + "k.-_:  v  \n---\nbody\n",
        ]
        for text in cases {
            #expect(TaskFileDecodeOracleTests.differences(Array(text.utf8)) == [], "\(text.debugDescription)")
        }
    }
}

extension String {
    fileprivate func replacingFirst(_ target: String, with replacement: String) -> String {
        guard let range = firstRange(of: target) else { return self }
        var copy = self
        copy.replaceSubrange(range, with: replacement)
        return copy
    }
}
