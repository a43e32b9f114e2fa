import Dispatch
import Glibc
import OrangeSystem
import OrangeTestSupport
import Synchronization
import Testing

@Suite struct AtomicFileTests {
    @Test func writesExactBytesWithPrivateModeAndNoTemporaryLeft() throws {
        try withTemporaryDirectory { dir in
            let old = umask(0o022)
            defer { umask(old) }
            let bytes: [UInt8] = [0, 1, 2, 0xFF, 0xFE, 10, 13] + Array("text ✓\n".utf8)
            try AtomicFile.write(bytes, to: dir + "/file")
            #expect(try FileSystem.readBytes(dir + "/file") == bytes)
            #expect(FileSystem.status(dir + "/file")?.mode == 0o600)
            try AtomicFile.write("", to: dir + "/empty")
            #expect(FileSystem.status(dir + "/empty")?.size == 0)
            #expect(try FileSystem.listDirectory(dir) == ["empty", "file"])
        }
    }

    @Test func keepsTheModeOfTheFileItReplaces() throws {
        try withTemporaryDirectory { dir in
            try AtomicFile.write("one", to: dir + "/file", mode: 0o640)
            chmod(dir + "/file", 0o604)
            try AtomicFile.write("two", to: dir + "/file")
            #expect(FileSystem.status(dir + "/file")?.mode == 0o604)
            #expect(try FileSystem.readText(dir + "/file") == "two")
        }
    }

    @Test func failureLeavesTargetAndFolderUntouched() throws {
        try withTemporaryDirectory { dir in
            // The rename fails (the target is a non-empty folder) after the temporary file was
            // written: it must be removed, and the error must say what failed where.
            try FileSystem.makeDirectories(dir + "/target")
            try AtomicFile.write("inside", to: dir + "/target/keep")
            let error = #expect(throws: SystemError.self) { try AtomicFile.write("new", to: dir + "/target") }
            #expect(error?.description.hasPrefix("rename \(dir)/target: ") == true)
            #expect(try FileSystem.listDirectory(dir) == ["target"])
            #expect(try FileSystem.readText(dir + "/target/keep") == "inside")

            let missing = #expect(throws: SystemError.self) { try AtomicFile.write("x", to: dir + "/no/such/file") }
            #expect(missing?.description == "write \(dir)/no/such/file: No such file or directory")
        }
    }

    @Test(.enabled(if: getuid() != 0, "root ignores folder permissions"))
    func writeIntoReadOnlyFolderFailsCleanly() throws {
        try withTemporaryDirectory { dir in
            try FileSystem.makeDirectories(dir + "/ro")
            try AtomicFile.write("old", to: dir + "/ro/file")
            chmod(dir + "/ro", 0o500)
            defer { chmod(dir + "/ro", 0o700) }
            let error = #expect(throws: SystemError.self) { try AtomicFile.write("new", to: dir + "/ro/file") }
            #expect(error?.description == "write \(dir)/ro/file: Permission denied")
            #expect(try FileSystem.listDirectory(dir + "/ro") == ["file"])
            #expect(try FileSystem.readText(dir + "/ro/file") == "old")
        }
    }

    /// A reader re-reading while another thread rewrites the file 500 times must only ever see
    /// one of the complete versions, never a prefix, a mix or an empty file.
    @Test func concurrentReaderNeverSeesAPartialFile() throws {
        try withTemporaryDirectory { dir in
            let path = dir + "/TASK.md"
            // Different sizes and contents, each larger than one read chunk.
            let versions: [[UInt8]] = [
                Array(repeating: UInt8(ascii: "a"), count: 300_000),
                Array(repeating: UInt8(ascii: "b"), count: 200_001),
            ]
            try AtomicFile.write(versions[0], to: path)
            let done = Atomic<Bool>(false)
            let reads = Atomic<Int>(0)
            let torn = Atomic<Int>(0)
            let group = DispatchGroup()
            DispatchQueue.global().async(group: group) {
                while !done.load(ordering: .acquiring) {
                    let seen = (try? FileSystem.readBytes(path)) ?? []
                    if seen != versions[0] && seen != versions[1] { torn.add(1, ordering: .relaxed) }
                    reads.add(1, ordering: .relaxed)
                }
            }
            var failure: (any Error)?
            // Under a loaded test run the reader's thread may start late: keep writing until it
            // has read a fair number of times (bounded by a deadline), not just 500 writes.
            let clock = SystemClock()
            let deadline = clock.monotonicNanoseconds() + 20_000_000_000
            var i = 0
            while (i < 500 || reads.load(ordering: .relaxed) < 20) && clock.monotonicNanoseconds() < deadline {
                do { try AtomicFile.write(versions[i % 2], to: path) } catch { failure = error; break }
                i += 1
            }
            done.store(true, ordering: .releasing)
            group.wait()
            #expect(failure == nil)
            #expect(reads.load(ordering: .relaxed) > 0)
            #expect(torn.load(ordering: .relaxed) == 0)
            #expect(try temporaryFiles(in: dir).isEmpty)
        }
    }

    @Test func appendedLinesFromManyThreadsNeverInterleave() throws {
        try withTemporaryDirectory { dir in
            let path = dir + "/history.jsonl"
            let filler = String(repeating: "x", count: 500)
            let errors = runOnThreads(6) { t in
                for i in 0..<100 { try AtomicFile.appendLine("t\(t)-\(i)-\(filler)", to: path, sync: i % 25 == 0) }
            }
            #expect(errors.isEmpty)
            let lines = try FileSystem.readText(path).split(separator: "\n", omittingEmptySubsequences: false)
            #expect(lines.count == 601 && lines.last == "")
            #expect(Set(lines.dropLast()).count == 600)
            #expect(lines.dropLast().allSatisfy { $0.hasSuffix("-" + filler) && $0.hasPrefix("t") })
            #expect(FileSystem.status(path)?.mode == 0o600)
        }
    }
}
