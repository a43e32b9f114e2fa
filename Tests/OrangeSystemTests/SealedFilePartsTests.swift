import Glibc
import OrangeCore
import OrangeTestSupport
import Synchronization
import Testing

@testable import OrangeSystem

/// The engine's ready list in chunks: as many descriptors as one message carries go over the
/// socket with the answer, the command prints the parts in order (ranges of files and bytes
/// between them) into a pipe or a file, and a command asking for parts still takes the one
/// descriptor of an engine from before them.
@Suite struct SealedFilePartsTests {
    static let content = SealedMemoryFileTests.content

    @Test func theMostDescriptorsOneMessageCarriesArePassedInOrder() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path + "/s.sock"
        let files = try (0..<UnixStreamSocket.mostDescriptors).map { index in
            try #require(SealedMemoryFile.holding(Array("chunk \(index)".utf8), name: "test"))
        }
        let server = try UnixLineServer(path: path) { _ in UnixLineServer.Answer(bytes: Array("header".utf8), passingAll: files) }
        defer { server.stop() }
        let fd = try #require(UnixStreamSocket.connect(to: path))
        defer { UnixStreamSocket.close(fd) }
        let (bytes, descriptors) = try #require(
            UnixStreamSocket.exchangeTakingDescriptors(fd, line: "x", deadline: UnixStreamSocket.now() + 5_000_000_000))
        #expect(bytes == Array("header\n".utf8))
        #expect(descriptors.count == files.count)
        for (index, descriptor) in descriptors.enumerated() {
            let count = "chunk \(index)".utf8.count
            #expect(SealedMemoryFile.received(descriptor, byteCount: count)?.bytes() == Array("chunk \(index)".utf8))
        }
    }

    @Test func thePartsArePrintedInOrderIntoAPipeAndAFile() throws {
        let first = try #require(SealedMemoryFile.holding(Self.content, name: "a"))
        let second = try #require(SealedMemoryFile.holding(Array(Self.content.reversed()), name: "b"))
        let parts = SealedFileParts([
            .bytes(Array("head".utf8)), .file(first, offset: 1, count: Self.content.count - 1), .bytes([]),
            .file(second, offset: 0, count: 1000), .bytes(Array("tail".utf8)),
        ])
        let expected = Array("head".utf8) + Self.content.dropFirst() + Self.content.reversed().prefix(1000) + Array("tail".utf8)
        #expect(parts.byteCount == expected.count)
        #expect(parts.bytes() == expected)
        let piped = throughAPipe { StandardStreams.send(parts, to: $0) }
        #expect(piped.written)
        #expect(piped.bytes == expected)

        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let out = open(directory.path + "/out", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        #expect(StandardStreams.send(parts, to: out))
        close(out)
        #expect(try FileSystem.readBytes(directory.path + "/out") == expected)
    }

    /// An engine that passes parts, and one from before them that passes one file: the command
    /// asking for parts prints either; a file part whose descriptor is missing is no answer.
    @Test func aCommandTakingPartsTakesAnOlderEnginesOneFile() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let home = directory.path
        try FileSystem.makeDirectories(home + "/tasks")
        let file = try #require(SealedMemoryFile.holding(Self.content, name: "test"))
        let requests = Mutex<[String]>([])
        let asParts = Mutex(false)
        let server = try UnixLineServer(path: home + "/" + EngineReadProtocol.socketName) { line in
            requests.withLock { $0.append(line) }
            let header: [(String, JSONValue)] = [("text", .string(""))]
            guard asParts.withLock({ $0 }) else {
                return UnixLineServer.Answer(
                    bytes: EngineReadProtocol.encodeAnswer(header, passing: "json_text", count: Self.content.count), passing: file)
            }
            let parts: [EngineReadProtocol.PassedPart] = [
                .bytes(Array("[".utf8)), .descriptor(offset: 2, count: 10), .bytes(Array("]".utf8)),
            ]
            return UnixLineServer.Answer(
                bytes: EngineReadProtocol.encodeAnswer(header, passing: "json_text", parts: parts), passingAll: [file])
        }
        defer { server.stop() }
        let reads = SocketEngineReads(home: home)
        let old = try #require(reads.askForOutput(.list, .null, outputKey: "json_text"))
        #expect((old.output as? SealedMemoryFile)?.bytes() == Self.content)
        let request = try #require(requests.withLock { $0.last })
        #expect(request.contains("\"descriptor\":true") && request.contains("\"descriptors\":true"))
        asParts.withLock { $0 = true }
        let new = try #require(reads.askForOutput(.list, .null, outputKey: "json_text"))
        #expect(new.output?.bytes() == Array("[".utf8) + Self.content[2..<12] + Array("]".utf8))
        // A command from before the parts does not ask for them.
        _ = SocketEngineReads(home: home, takesParts: false).askForOutput(.list, .null, outputKey: "json_text")
        #expect(requests.withLock { $0.last }?.contains("descriptors") == false)
    }
}
