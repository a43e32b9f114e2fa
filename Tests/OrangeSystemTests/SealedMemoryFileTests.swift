import Glibc
import OrangeTestSupport
import Testing

@testable import OrangeSystem

/// The engine's list in a sealed memory file: its bytes cannot change once made, its descriptor
/// goes over the read socket, and the command sends it to stdout with `sendfile`, into a pipe or
/// a regular file alike.
@Suite struct SealedMemoryFileTests {
    /// More than a pipe holds (64 KB), with every byte value.
    static let content: [UInt8] = (0..<(300 << 10)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 9) }

    @Test func holdsItsBytesAndRefusesEveryChange() throws {
        let file = try #require(SealedMemoryFile.holding(Self.content, name: "test"))
        #expect(file.byteCount == Self.content.count)
        #expect(file.bytes() == Self.content)
        // Sealed: no write, no shrinking, no growing.
        var byte: UInt8 = 1
        #expect(pwrite(file.descriptor, &byte, 1, 0) == -1 && errno == EPERM)
        #expect(ftruncate(file.descriptor, 10) == -1)
        #expect(ftruncate(file.descriptor, off_t(Self.content.count + 10)) == -1)
        #expect(fcntl(file.descriptor, F_GETFD) & FD_CLOEXEC != 0)
        // Taken as received: it is sealed and long enough; asking more than it holds is refused.
        #expect(SealedMemoryFile.received(dup(file.descriptor), byteCount: Self.content.count)?.bytes() == Self.content)
        #expect(SealedMemoryFile.received(dup(file.descriptor), byteCount: Self.content.count + 1) == nil)
    }

    @Test func anUnsealedFileIsNotTakenAsAnAnswer() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try AtomicFile.write(Self.content, to: directory.path + "/plain")
        let fd = open(directory.path + "/plain", O_RDWR | O_CLOEXEC)
        #expect(fd >= 0)
        #expect(SealedMemoryFile.received(fd, byteCount: 10) == nil)  // closes it
    }

    @Test func itsDescriptorIsPassedOverTheSocketWithTheAnswer() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path + "/s.sock"
        let file = try #require(SealedMemoryFile.holding(Self.content, name: "test"))
        let server = try UnixLineServer(path: path) { request in
            request == "fd"
                ? UnixLineServer.Answer(bytes: Array("header".utf8), passing: file) : UnixLineServer.Answer(bytes: Array("plain".utf8))
        }
        defer { server.stop() }
        let deadline = UnixStreamSocket.now() + 5_000_000_000
        let fd = try #require(UnixStreamSocket.connect(to: path))
        defer { UnixStreamSocket.close(fd) }
        let (bytes, descriptors) = try #require(UnixStreamSocket.exchangeTakingDescriptors(fd, line: "fd", deadline: deadline))
        #expect(bytes == Array("header\n".utf8) && descriptors.count == 1)
        let received = try #require(descriptors.first.flatMap { SealedMemoryFile.received($0, byteCount: Self.content.count) })
        #expect(fcntl(received.descriptor, F_GETFD) & FD_CLOEXEC != 0)
        #expect(received.bytes() == Self.content)

        // No descriptor when the answer passes none.
        let other = try #require(UnixStreamSocket.connect(to: path))
        defer { UnixStreamSocket.close(other) }
        let plain = try #require(UnixStreamSocket.exchangeTakingDescriptors(other, line: "plain", deadline: deadline))
        #expect(plain.bytes == Array("plain\n".utf8) && plain.descriptors.isEmpty)
    }

    @Test func sendfileCopiesItIntoAPipeAndIntoARegularFile() throws {
        let file = try #require(SealedMemoryFile.holding(Self.content, name: "test"))
        // A pipe, read by another thread while `send` waits for room.
        let piped = throughAPipe { StandardStreams.send(file, to: $0) }
        #expect(piped.written)
        #expect(piped.bytes == Self.content)

        // A regular file, written at its current offset (as after a shell's `>`).
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let out = open(directory.path + "/out", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        #expect(write(out, "before\n", 7) == 7)
        #expect(StandardStreams.send(file, to: out))
        close(out)
        #expect(try FileSystem.readBytes(directory.path + "/out") == Array("before\n".utf8) + Self.content)
    }
}
