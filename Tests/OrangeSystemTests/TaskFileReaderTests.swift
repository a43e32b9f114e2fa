import Glibc
import OrangeCore
import OrangeSystem
import OrangeTestSupport
import Synchronization
import Testing

@testable import OrangeSystem

/// The engine's read of one TASK.md: one open (no symlink followed), one `fstat` of the opened
/// file, one read; what it reports for every kind of thing that can sit at the TASK.md path.
@Suite struct TaskFileReaderTests {
    static let key = TaskKey(project: "coffee", taskID: "t1")

    func withTaskFolder(_ body: (_ tasksRoot: String, _ path: String) throws -> Void) throws {
        try withTemporaryDirectory { dir in
            try FileSystem.makeDirectories(dir + "/tasks/coffee/t1")
            try body(dir + "/tasks", dir + "/tasks/coffee/t1/TASK.md")
        }
    }

    @Test func aTaskFileIsParsedWithTheFingerprintOfTheFileReadAndTheStoresHash() throws {
        try withTaskFolder { root, path in
            var task = FileTaskStoreTests.makeTask("t1")
            task.body = String(repeating: "notes\n", count: 800)
            // The store announces the hash of what it writes; the reader must find that hash.
            let announced = Announced()
            let store = FileTaskStore(layout: DataDirectory(home: FileSystem.parentDirectory(of: root)))
                .announcingWrites { _, hash in announced.set(hash) }
            try store.create(task)
            let (result, record) = TaskFileReader.read(Self.key, tasksRoot: root)
            let status = try #require(FileSystem.status(path))
            let expected = FileFingerprint(inode: status.inode, size: UInt64(status.size), mtimeNanoseconds: status.modifiedNanoseconds)
            #expect(result == .parsed(fingerprint: expected, contentHash: try #require(announced.get())))
            #expect(record == task)
            let (light, lightRecord) = TaskFileReader.readWithoutBody(Self.key, tasksRoot: root)
            #expect(light == result)
            #expect(lightRecord == task.withoutBody)

            // An edit of the body alone is a change of the hash, with or without the body kept.
            task.body += "one more line\n"
            try AtomicFile.write(task.rendered(), to: path)
            guard case .parsed(_, let edited) = TaskFileReader.readWithoutBody(Self.key, tasksRoot: root).result,
                case .parsed(_, let before) = result
            else {
                Issue.record("not parsed")
                return
            }
            #expect(edited != before)
        }
    }

    @Test func whatIsNotARegularFileIsMissing() throws {
        try withTaskFolder { root, path in
            #expect(TaskFileReader.read(Self.key, tasksRoot: root).result == .missing)
            // A symlink, even to a valid file, as `lstat` said before.
            try AtomicFile.write(FileTaskStoreTests.makeTask("t1").rendered(), to: root + "/elsewhere.md")
            #expect(symlink(root + "/elsewhere.md", path) == 0)
            #expect(TaskFileReader.read(Self.key, tasksRoot: root).result == .missing)
            #expect(unlink(path) == 0)
            // A folder.
            #expect(mkdir(path, 0o755) == 0)
            #expect(TaskFileReader.read(Self.key, tasksRoot: root).result == .missing)
            #expect(rmdir(path) == 0)
            // A FIFO: not waited on (a blocking open would hang here forever).
            #expect(mkfifo(path, 0o600) == 0)
            #expect(TaskFileReader.read(Self.key, tasksRoot: root).result == .missing)
        }
    }

    @Test func aMalformedFileIsInvalidWithItsLineAndReason() throws {
        try withTaskFolder { root, path in
            try AtomicFile.write("---\nid: t1\nproject: coffee\nstatus: [x\n---\nbody\n", to: path)
            guard case .invalid(_, let line, let reason) = TaskFileReader.readWithoutBody(Self.key, tasksRoot: root).result else {
                Issue.record("not invalid")
                return
            }
            #expect(line == 4)
            #expect(!reason.isEmpty)
            try AtomicFile.write(Array("---\nid: t1\n".utf8) + [0xFF] + Array("\n---\n".utf8), to: path)
            guard case .invalid(_, let badLine, let badReason) = TaskFileReader.read(Self.key, tasksRoot: root).result else {
                Issue.record("not invalid")
                return
            }
            #expect(badLine == 3)
            #expect(badReason == "is not valid UTF-8 (byte 11)")
        }
    }
}

/// The hash a store announced, set from its write.
private final class Announced: Sendable {
    private let value = Mutex<UInt64?>(nil)
    func set(_ hash: UInt64) { value.withLock { $0 = hash } }
    func get() -> UInt64? { value.withLock { $0 } }
}
