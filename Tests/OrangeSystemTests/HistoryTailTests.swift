import Glibc
import OrangeCore
import OrangeTestSupport
import Testing

@testable import OrangeSystem

/// The catch-up's read of a history's last status from the file's end (`HistoryTail`) says what
/// reading and parsing the whole file says, for any mix of lines and any read size.
@Suite struct HistoryTailTests {
    static let pieces: [[UInt8]] =
        [
            #"{"type":"status.changed","timestamp":"2026-01-01T00:00:00.000Z","from":"pending","to":"working","by":"human"}"#,
            #"{"type":"status.changed","timestamp":"2026-01-01T00:00:00.000Z","to":"done"}"#,
            #"{"type":"status.changed","timestamp":"2026-01-01T00:00:00.000Z","to":"bogus"}"#,
            #"{"type":"status.changed","timestamp":"2026-01-01T00:00:00.000Z"}"#,
            #"{"type":"status.changed","to":"review"}"#,
            #"{"type":"task.created","timestamp":"2026-01-01T00:00:00.000Z","task_id":"T1","status":"stuck"}"#,
            #"{"type":"task.created","timestamp":"2026-01-01T00:00:00.000Z","task_id":"T1"}"#,
            #"{"type":"task.created","timestamp":"2026-01-01T00:00:00.000Z","status":7}"#,
            #"{"type":"agent.spawned","timestamp":"2026-01-01T00:00:00.000Z","session":"s"}"#,
            #"{"type":"note","timestamp":"2026-01-01T00:00:00.000Z","text":""# + String(repeating: "x", count: 300) + #""}"#,
            #"{"type":"status.ch"#, "not json", "", "  ",
            #"{"type":"status.changed","timestamp":"2026-01-01T00:00:00.000Z","to":"failed"}"# + "\r",
        ].map { Array($0.utf8) } + [[0xFF, 0x7B], [0xC3]]

    /// The reading it replaces: the whole file, split at line breaks, each line parsed.
    static func wholeRead(_ bytes: [UInt8]) -> TaskStatus {
        bytes.split(separator: UInt8(ascii: "\n")).compactMap { line -> HistoryEvent? in
            guard let text = String(validating: line, as: UTF8.self) else { return nil }
            return (try? JSONValue.parse(text)).flatMap(HistoryEvent.init(json:))
        }.lastRecordedStatus
    }

    @Test func randomHistoriesGiveTheWholeReadsStatus() throws {
        try withTemporaryDirectory { dir in
            let folder = open(dir, O_RDONLY | O_DIRECTORY)
            #expect(folder >= 0)
            defer { close(folder) }
            var rng = SeededRandom(seed: FuzzBudget.seed(default: 0x4157_0121))
            var statuses = Set<TaskStatus>()
            for iteration in 0..<FuzzBudget.iterations(default: 1500) {
                var bytes: [UInt8] = []
                for index in 0..<Int(rng.next() % 12) {
                    if index > 0 || rng.next() % 4 == 0 {
                        bytes += Array(repeating: UInt8(ascii: "\n"), count: 1 + Int(rng.next() % 3) / 2)
                    }
                    bytes += Self.pieces[Int(rng.next() % UInt64(Self.pieces.count))]
                }
                if rng.next() % 2 == 0 { bytes.append(UInt8(ascii: "\n")) }
                try AtomicFile.write(bytes, to: dir + "/history.jsonl")
                let firstRead = rng.next() % 3 == 0 ? 4096 : 1 + Int(rng.next() % 80)
                let expected = Self.wholeRead(bytes)
                statuses.insert(expected)
                #expect(
                    HistoryTail.lastRecordedStatus("history.jsonl", in: folder, firstRead: firstRead) == expected,
                    "iteration \(iteration), first read \(firstRead): \(String(decoding: bytes, as: UTF8.self).debugDescription)")
            }
            #expect(statuses.count >= 4)
        }
    }

    /// No history is an empty one (`pending`); one that cannot be read is nil, where the whole
    /// read throws; through the store's folder checks as through its own calls.
    @Test func missingAndUnreadableHistories() throws {
        try withTemporaryDirectory { dir in
            let layout = DataDirectory(home: dir)
            let store = FileTaskStore(layout: layout)
            let project = ProjectName(validating: "coffee")!
            for name in ["gone", "folder", "kept"] {
                try store.create(TaskRecord(id: TaskID(validating: name)!, project: project, branch: "b"))
            }
            let id = { (name: String) in TaskID(validating: name)! }
            try FileSystem.removeTree(layout.historyFile(id("gone"), in: project))
            try FileSystem.removeTree(layout.historyFile(id("folder"), in: project))
            try FileSystem.makeDirectories(layout.historyFile(id("folder"), in: project), mode: 0o700)
            try store.appendHistory(
                HistoryEvent.statusChanged(from: .pending, to: .working, by: .human, at: Timestamp(millisecondsSinceEpoch: 1)),
                for: id("kept"),
                in: project)
            let checks = store.folderChecks(in: project)
            #expect(checks.lastRecordedStatus(id("gone")) == .pending)
            #expect(checks.lastRecordedStatus(id("folder")) == nil)
            #expect(checks.lastRecordedStatus(id("kept")) == .working)
            for name in ["gone", "folder", "kept"] {
                #expect(
                    checks.lastRecordedStatus(id(name)) == (try? store.history(of: id(name), in: project))?.lastRecordedStatus, "\(name)")
            }
        }
    }
}
