import OrangeCore
import OrangeTestSupport
import Testing

/// Builds one record the way the kernel lays it out: header, then the name NUL-padded to `len`.
private func recordBytes(wd: Int32, mask: UInt32, cookie: UInt32 = 0, name: [UInt8]? = nil, len: Int? = nil) -> [UInt8] {
    var nameField: [UInt8] = []
    if let name {
        nameField = name + [0]
        while nameField.count % 16 != 0 { nameField.append(0) }
    }
    let declared = len ?? nameField.count
    var bytes: [UInt8] = []
    func put<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }
    put(wd)
    put(mask)
    put(cookie)
    put(UInt32(declared))
    return bytes + nameField
}


@Suite struct InotifyDecoderTests {
    @Test func decodesSeveralRecordsInOrder() {
        let buffer = recordBytes(wd: 1, mask: 0x100, name: Array("TASK.md".utf8))
            + recordBytes(wd: 2, mask: 0x4000_0100, name: Array("t1".utf8))
            + recordBytes(wd: 3, mask: 0x40, cookie: 77, name: Array("a".utf8))
            + recordBytes(wd: -1, mask: 0x4000)
        let result = InotifyRecordDecoder.decode(buffer)
        #expect(result.failure == nil)
        #expect(result.records == [
            InotifyRecord(wd: 1, mask: .create, name: "TASK.md"),
            InotifyRecord(wd: 2, mask: [.create, .isDirectory], name: "t1"),
            InotifyRecord(wd: 3, mask: .movedFrom, cookie: 77, name: "a"),
            InotifyRecord(wd: -1, mask: .queueOverflow),
        ])
    }

    @Test func decodesTheLongestName() {
        let name = [UInt8](repeating: UInt8(ascii: "x"), count: 255)
        let buffer = recordBytes(wd: 9, mask: 0x8, name: name)
        #expect(buffer.count == 16 + 256)
        let result = InotifyRecordDecoder.decode(buffer)
        #expect(result.failure == nil)
        #expect(result.records.first?.name == String(repeating: "x", count: 255))
    }

    @Test func zeroLengthMeansTheDirectoryItself() {
        let result = InotifyRecordDecoder.decode(recordBytes(wd: 4, mask: 0x400) + recordBytes(wd: 4, mask: 0x8000))
        #expect(result.records == [InotifyRecord(wd: 4, mask: .deleteSelf), InotifyRecord(wd: 4, mask: .ignored)])
        #expect(result.failure == nil)
    }

    @Test func aNameOfOnlyPaddingIsNoName() {
        let result = InotifyRecordDecoder.decode(recordBytes(wd: 4, mask: 0x2, len: 0) + [UInt8](repeating: 0, count: 0))
        #expect(result.records == [InotifyRecord(wd: 4, mask: .modify)])
        var padded = recordBytes(wd: 5, mask: 0x2, len: 16)
        padded += [UInt8](repeating: 0, count: 16)
        #expect(InotifyRecordDecoder.decode(padded).records == [InotifyRecord(wd: 5, mask: .modify)])
    }

    @Test func exactlyFullBufferDecodesEveryRecord() {
        // 64 KiB filled with 32-byte records and nothing left over.
        var buffer: [UInt8] = []
        var wd: Int32 = 0
        while buffer.count < 64 * 1024 {
            wd += 1
            buffer += recordBytes(wd: wd, mask: 0x2, name: Array("f\(wd % 10)".utf8))
        }
        #expect(buffer.count == 64 * 1024)
        let result = InotifyRecordDecoder.decode(buffer)
        #expect(result.failure == nil)
        #expect(result.records.count == 2048)
        #expect(result.records.last?.wd == 2048)
    }

    @Test func truncatedHeaderStopsAfterTheWholeRecords() {
        let whole = recordBytes(wd: 1, mask: 0x8, name: Array("TASK.md".utf8))
        let buffer = whole + Array(recordBytes(wd: 2, mask: 0x8)[0..<10])
        let result = InotifyRecordDecoder.decode(buffer)
        #expect(result.records.count == 1)
        #expect(result.failure == .truncatedHeader(offset: whole.count, available: 10))
    }

    @Test func truncatedNameIsReportedNotRead() {
        let full = recordBytes(wd: 1, mask: 0x8, name: Array("TASK.md".utf8))
        let result = InotifyRecordDecoder.decode(Array(full[0..<20]))
        #expect(result.records.isEmpty)
        #expect(result.failure == .truncatedName(offset: 0, declaredLength: 16, available: 4))
    }

    @Test func lengthPointingPastTheEndIsRejected() {
        for declared in [17, 4096, Int(UInt32.max)] {
            let buffer = recordBytes(wd: 1, mask: 0x8, len: declared) + [UInt8](repeating: 0x41, count: 16)
            let result = InotifyRecordDecoder.decode(buffer)
            #expect(result.records.isEmpty)
            #expect(result.failure == .truncatedName(offset: 0, declaredLength: UInt32(declared), available: 16))
        }
    }

    @Test func nameStopsAtItsOwnLengthEvenWithoutNul() {
        // No NUL inside `len`: the name must end at `len`, not run into the next record.
        var buffer = recordBytes(wd: 1, mask: 0x8, len: 4)
        buffer += Array("abcd".utf8)
        buffer += recordBytes(wd: 2, mask: 0x8, name: Array("TASK.md".utf8))
        let result = InotifyRecordDecoder.decode(buffer)
        #expect(result.records.map(\.name) == ["abcd", "TASK.md"])
    }

    @Test func invalidUTF8IsRepairedNotFatal() {
        let result = InotifyRecordDecoder.decode(recordBytes(wd: 1, mask: 0x8, name: [0x66, 0xFF, 0xFE, 0x67]))
        #expect(result.records.first?.name == "f\u{FFFD}\u{FFFD}g")
    }

    @Test func unalignedBuffersDecodeTheSame() {
        let buffer = recordBytes(wd: 3, mask: 0x80, cookie: 5, name: Array("TASK.md".utf8))
        let shifted = [0xAA] + buffer
        let result = shifted.withUnsafeBytes { InotifyRecordDecoder.decode(UnsafeRawBufferPointer(rebasing: $0[1...])) }
        #expect(result.records == [InotifyRecord(wd: 3, mask: .movedTo, cookie: 5, name: "TASK.md")])
    }

    @Test func randomBytesNeverCrashAndNeverOverrun() {
        var rng = SeededRandom(state: 0x0123_4567_89AB_CDEF)
        for _ in 0..<3000 {
            let count = Int(rng.next() % 600)
            var bytes = (0..<count).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            // Half of the buffers get small plausible lengths so decoding goes past the first record.
            if rng.next() % 2 == 0 {
                var offset = 0
                while offset + 16 <= bytes.count {
                    let len = UInt32(rng.next() % 48)
                    withUnsafeBytes(of: len.littleEndian) { bytes.replaceSubrange(offset + 12..<offset + 16, with: $0) }
                    offset += 16 + Int(len)
                }
            }
            let result = InotifyRecordDecoder.decode(bytes)
            // An independent walk over the same bytes says how many records fit.
            var offset = 0
            var wds: [Int32] = []
            while bytes.count - offset >= 16 {
                let len = Int(bytes[offset + 12]) | Int(bytes[offset + 13]) << 8 | Int(bytes[offset + 14]) << 16
                    | Int(bytes[offset + 15]) << 24
                guard len <= bytes.count - offset - 16 else { break }
                wds.append(Int32(bitPattern: UInt32(bytes[offset]) | UInt32(bytes[offset + 1]) << 8
                    | UInt32(bytes[offset + 2]) << 16 | UInt32(bytes[offset + 3]) << 24))
                offset += 16 + len
            }
            #expect(result.records.map(\.wd) == wds)
            #expect((result.failure == nil) == (offset == bytes.count))
        }
    }

    @Test func maskDescriptionNamesTheBits() {
        #expect(InotifyMask([.create, .isDirectory]).description == "CREATE|ISDIR")
        #expect(InotifyMask(rawValue: 0).description == "0")
        #expect(InotifyMask(rawValue: 0x0080_0000).description == "0x800000")
    }

    @Test func namesTheWatcherCaresAbout() {
        #expect(TaskTreeNames.isCandidateDirectory("p1"))
        for ignored in ["", ".git", ".TASK.md.orange-tmp-1", "t1~", "x.swp"] {
            #expect(!TaskTreeNames.isCandidateDirectory(ignored))
        }
        #expect(TaskTreeNames.cookieToken(".orange-cookie-12-3") == "12-3")
        #expect(TaskTreeNames.cookieToken(".orange-cookie-") == nil)
        #expect(TaskTreeNames.cookieToken("TASK.md") == nil)
        #expect(TaskTreeNames.cookieFileName(token: "9-1") == ".orange-cookie-9-1")
    }
}
