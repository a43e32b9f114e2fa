import OrangeCore
import Synchronization
import Testing

@testable import OrangeApp

/// `orange log -f`'s reading of orange.log over in-memory files: whole lines only, nothing lost
/// across a rotation.
struct LogFollowerUnitTests {
    static let log = "/in-memory/home/orange.log"

    @Test func onlyLinesWrittenAfterTheStartAppearAndAHalfLineWaitsForItsEnd() {
        let files = InMemoryGrowingFiles()
        files.append("before\n", to: Self.log)
        var follower = LogFollower(files: files, path: Self.log)
        #expect(follower.newLines() == [])

        files.append("one\ntw", to: Self.log)
        #expect(follower.newLines() == ["one"])
        files.append("o\n", to: Self.log)
        #expect(follower.newLines() == ["two"])
    }

    @Test func whatTheOldFileGotBeforeItsRotationIsReadFromDotOneBeforeTheNewFile() {
        let files = InMemoryGrowingFiles()
        files.append("a\n", to: Self.log)
        var follower = LogFollower(files: files, path: Self.log)
        files.append("last of the old file\n", to: Self.log)
        files.rotate(Self.log)
        files.append("first of the new file\n", to: Self.log)

        #expect(follower.newLines() == ["last of the old file"])
        #expect(follower.newLines() == ["first of the new file"])
        #expect(follower.newLines() == [])
    }

    @Test func aLogThatAppearsLaterIsReadFromItsStart() {
        let files = InMemoryGrowingFiles()
        var follower = LogFollower(files: files, path: Self.log)
        #expect(follower.newLines() == [])
        files.append("hello\n", to: Self.log)
        #expect(follower.newLines() == [])  // a new file: noticed, read from 0 on the next look
        #expect(follower.newLines() == ["hello"])
    }
}

/// Files in memory that grow by appends and rotate by rename, each new file with a new inode.
final class InMemoryGrowingFiles: GrowingFiles {
    private struct State {
        var files: [String: (inode: UInt64, bytes: [UInt8])] = [:]
        var inodes: UInt64 = 0
    }

    private let state = Mutex(State())

    func append(_ text: String, to path: String) {
        state.withLock { state in
            if state.files[path] == nil {
                state.inodes += 1
                state.files[path] = (state.inodes, [])
            }
            state.files[path]!.bytes += Array(text.utf8)
        }
    }

    /// `path` becomes `path.1`, and a new empty `path` starts.
    func rotate(_ path: String) {
        state.withLock { state in
            state.files[path + ".1"] = state.files[path]
            state.inodes += 1
            state.files[path] = (state.inodes, [])
        }
    }

    func state(of path: String) -> GrowingFileState? {
        state.withLock { $0.files[path] }.map { GrowingFileState(inode: $0.inode, size: Int64($0.bytes.count)) }
    }

    func read(_ path: String, from offset: Int64) throws -> [UInt8] {
        guard let file = state.withLock({ $0.files[path] }) else { throw FakeFileError(path: path) }
        return offset < file.bytes.count ? Array(file.bytes[Int(offset)...]) : []
    }
}
