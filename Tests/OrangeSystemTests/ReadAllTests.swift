import Dispatch
import Glibc
import OrangeTestSupport
import Testing

@testable import OrangeSystem

/// `FileSystem.readAll` reads a file whole whatever the size it was told: smaller, exact, or
/// larger than the file (it grew after its `fstat`), empty, and across its own buffer growth;
/// as a regular file (a short read is its end) or not (a pipe's short reads are not its end).
@Suite struct ReadAllTests {
    @Test(arguments: [0, 1, 255, 256, 257, 4_096, 70_000, 300_000])
    func aFileIsReadWholeWhateverSizeItWasSaidToHave(size: Int) throws {
        try withTemporaryDirectory { dir in
            let path = dir + "/file"
            let bytes = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
            try AtomicFile.write(bytes, to: path)
            for hint in [0, size / 2, size - 1, size, size + 1, size * 2 + 10] where hint >= 0 {
                for regular in [false, true] {
                    let fd = open(path, O_RDONLY | O_CLOEXEC)
                    defer { close(fd) }
                    let read = try FileSystem.readAll(fd, path: path, sizeHint: hint, regularFile: regular)
                    #expect(read == bytes, "size \(size), hint \(hint), regular \(regular)")
                }
            }
        }
    }

    /// A pipe hands its bytes over in pieces: read to its end, not to its first short read.
    @Test func aPipeIsReadToItsEndAcrossShortReads() throws {
        var ends: [Int32] = [0, 0]
        #expect(pipe(&ends) == 0)
        let writer = ends[1]
        let pieces = [Array("first piece ".utf8), Array("second piece".utf8)]
        DispatchQueue.global().async {
            for piece in pieces {
                _ = piece.withUnsafeBytes { write(writer, $0.baseAddress, $0.count) }
                usleep(20_000)  // so the reader finds the first piece alone
            }
            close(writer)
        }
        defer { close(ends[0]) }
        let read = try FileSystem.readAll(ends[0], path: "pipe", sizeHint: 1_000)
        #expect(read == pieces.flatMap { $0 })
    }
}
