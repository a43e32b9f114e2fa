import OrangeCore

/// An output made of parts in order: bytes in hand, and ranges of sealed memory files (the
/// engine's `--json` list kept in chunks, each chunk its own file, passed as several
/// descriptors). Printed part by part, the files with `sendfile(2)`: the command neither reads
/// nor copies them (`StandardStreams.writeOutput`).
public final class SealedFileParts: PreparedOutput {
    public enum Part: Sendable {
        case bytes([UInt8])
        /// `count` bytes of `file` from `offset`.
        case file(SealedMemoryFile, offset: Int, count: Int)
    }

    public let parts: [Part]

    public init(_ parts: [Part]) { self.parts = parts }

    public var byteCount: Int {
        parts.reduce(0) { total, part in
            switch part {
            case .bytes(let bytes): return total + bytes.count
            case .file(_, _, let count): return total + count
            }
        }
    }

    public func bytes() -> [UInt8]? {
        var all: [UInt8] = []
        all.reserveCapacity(byteCount)
        for part in parts {
            switch part {
            case .bytes(let bytes): all += bytes
            case .file(let file, let offset, let count):
                guard let whole = file.bytes(), offset + count <= whole.count else { return nil }
                all += whole[offset..<offset + count]
            }
        }
        return all
    }
}
