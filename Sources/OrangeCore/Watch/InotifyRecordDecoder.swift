/// Turns the bytes returned by `read()` on an inotify descriptor into records.
///
/// Layout of one record (inotify(7)): `wd` Int32 at 0, `mask` UInt32 at 4, `cookie` UInt32 at 8,
/// `len` UInt32 at 12, then `len` bytes of NUL-padded name. Records are variable-sized, so the
/// decoder walks by `16 + len` and checks every bound before it touches a byte: a buffer that is
/// cut short or holds garbage ends decoding with an error value, never a trap.
public enum InotifyRecordDecoder {
    /// Size of the fixed part of a record.
    public static let headerSize = 16

    /// What went wrong, with the byte offset of the record that could not be decoded.
    public enum Failure: Hashable, Sendable {
        /// Fewer than 16 bytes were left for a header.
        case truncatedHeader(offset: Int, available: Int)
        /// The header announced `declaredLength` name bytes but only `available` followed it.
        case truncatedName(offset: Int, declaredLength: UInt32, available: Int)
    }

    /// The records decoded, and the failure that stopped decoding early, if any.
    public struct DecodeResult: Hashable, Sendable {
        public var records: [InotifyRecord]
        public var failure: Failure?

        public init(records: [InotifyRecord], failure: Failure?) {
            self.records = records
            self.failure = failure
        }
    }

    /// Decodes every whole record in `bytes`; stops at the first record that does not fit.
    public static func decode(_ bytes: UnsafeRawBufferPointer) -> DecodeResult {
        var records: [InotifyRecord] = []
        var offset = 0
        let count = bytes.count
        while offset < count {
            let available = count - offset
            guard available >= headerSize else {
                return DecodeResult(records: records, failure: .truncatedHeader(offset: offset, available: available))
            }
            let wd = bytes.loadUnaligned(fromByteOffset: offset, as: Int32.self)
            let mask = bytes.loadUnaligned(fromByteOffset: offset + 4, as: UInt32.self)
            let cookie = bytes.loadUnaligned(fromByteOffset: offset + 8, as: UInt32.self)
            let length = bytes.loadUnaligned(fromByteOffset: offset + 12, as: UInt32.self)
            let nameStart = offset + headerSize
            // `Int(length)` cannot overflow on 64-bit, and the comparison avoids computing past `count`.
            guard Int(length) <= count - nameStart else {
                return DecodeResult(
                    records: records,
                    failure: .truncatedName(offset: offset, declaredLength: length, available: count - nameStart))
            }
            let nameEnd = nameStart + Int(length)
            records.append(
                InotifyRecord(
                    wd: wd, mask: InotifyMask(rawValue: mask), cookie: cookie,
                    name: decodeName(bytes, from: nameStart, to: nameEnd)))
            offset = nameEnd
        }
        return DecodeResult(records: records, failure: nil)
    }

    /// Same as `decode(_:)` for bytes held in an array (tests, replayed captures).
    public static func decode(_ bytes: [UInt8]) -> DecodeResult {
        bytes.withUnsafeBytes { decode($0) }
    }

    /// The name is the bytes before the first NUL, never past `end`; an empty name means "none".
    private static func decodeName(_ bytes: UnsafeRawBufferPointer, from start: Int, to end: Int) -> String? {
        var stop = start
        while stop < end && bytes[stop] != 0 { stop += 1 }
        guard stop > start else { return nil }
        // Invalid UTF-8 is repaired with U+FFFD: such a name can never be TASK.md or a valid id,
        // and the consumer validates names anyway.
        return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<stop]), as: UTF8.self)
    }
}
