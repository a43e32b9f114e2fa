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
        let buffer =
            recordBytes(wd: 1, mask: 0x100, name: Array("TASK.md".utf8))
            + recordBytes(wd: 2, mask: 0x4000_0100, name: Array("t1".utf8))
            + recordBytes(wd: 3, mask: 0x40, cookie: 77, name: Array("a".utf8))
            + recordBytes(wd: -1, mask: 0x4000)
        let result = InotifyRecordDecoder.decode(buffer)
        #expect(result.failure == nil)
        #expect(
            result.records == [
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

    /// An independent, byte-by-byte reading of the same layout: the oracle for the fuzz tests.
    static func referenceDecode(_ bytes: [UInt8]) -> (records: [InotifyRecord], complete: Bool) {
        func u32(_ at: Int) -> UInt32 {
            UInt32(bytes[at]) | UInt32(bytes[at + 1]) << 8 | UInt32(bytes[at + 2]) << 16 | UInt32(bytes[at + 3]) << 24
        }
        var offset = 0
        var records: [InotifyRecord] = []
        while bytes.count - offset >= 16 {
            let len = Int(u32(offset + 12))
            guard len <= bytes.count - offset - 16 else { break }
            let name = bytes[(offset + 16)..<(offset + 16 + len)].prefix { $0 != 0 }
            records.append(
                InotifyRecord(
                    wd: Int32(bitPattern: u32(offset)), mask: InotifyMask(rawValue: u32(offset + 4)), cookie: u32(offset + 8),
                    name: name.isEmpty ? nil : String(decoding: name, as: UTF8.self)))
            offset += 16 + len
        }
        return (records, offset == bytes.count)
    }

    /// Checks one buffer against the oracle; returns a description of the difference, if any.
    static func disagreement(_ bytes: [UInt8]) -> String? {
        let result = InotifyRecordDecoder.decode(bytes)
        let expected = referenceDecode(bytes)
        if result.records != expected.records { return "decoded \(result.records), expected \(expected.records)" }
        if (result.failure == nil) != expected.complete {
            return "failure \(String(describing: result.failure)) for a buffer complete=\(expected.complete)"
        }
        switch result.failure {
        case .truncatedHeader(let offset, let available)?:
            if available >= 16 || offset + available != bytes.count { return "bad truncatedHeader \(offset) \(available)" }
        case .truncatedName(let offset, let declared, let available)?:
            if Int(declared) <= available || offset + 16 + available != bytes.count {
                return "bad truncatedName \(offset) \(declared) \(available)"
            }
        case nil:
            break
        }
        if result.records.contains(where: { $0.name?.unicodeScalars.contains("\u{0}") == true }) { return "a name holds a NUL" }
        return nil
    }

    /// Random bytes, half of them with small plausible lengths so decoding goes past the first
    /// record. `ORANGE_FUZZ_ITERATIONS` makes the run longer.
    @Test func randomBytesNeverCrashAndNeverOverrun() {
        let seed = FuzzBudget.seed(default: 0x0123_4567_89AB_CDEF)
        var rng = SeededRandom(state: seed)
        for iteration in 0..<FuzzBudget.iterations(default: 3000) {
            let count = Int(rng.next() % 600)
            var bytes = (0..<count).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            if rng.next() % 2 == 0 {
                var offset = 0
                while offset + 16 <= bytes.count {
                    let len = UInt32(rng.next() % 48)
                    withUnsafeBytes(of: len.littleEndian) { bytes.replaceSubrange(offset + 12..<offset + 16, with: $0) }
                    offset += 16 + Int(len)
                }
            }
            if let problem = Self.disagreement(bytes) {
                Issue.record("seed \(seed), iteration \(iteration): \(problem) for \(bytes)")
                return
            }
        }
    }

    /// Seeded mutations of well-formed buffers (what the kernel really returns): flipped bits,
    /// lengths set to edge values, cuts, splices and inserted bytes.
    @Test func mutatedRecordStreamsDecodeLikeTheReference() {
        let names: [[UInt8]?] = [
            nil, Array("TASK.md".utf8), Array("p1".utf8), Array(".TASK.md.orange-tmp-1-2".utf8),
            [UInt8](repeating: 0x78, count: 255), [0x66, 0xFF, 0xFE], Array("é😀".utf8),
        ]
        let seed = FuzzBudget.seed(default: 0x1A07_1F00)
        var rng = SeededRandom(seed: seed)
        func below(_ n: Int) -> Int { n <= 0 ? 0 : Int(rng.next() % UInt64(n)) }
        for iteration in 0..<FuzzBudget.iterations(default: 4000) {
            var bytes: [UInt8] = []
            for _ in 0..<(1 + below(6)) {
                bytes += recordBytes(
                    wd: Int32(below(20)) - 1, mask: UInt32(truncatingIfNeeded: rng.next()), cookie: UInt32(below(3)),
                    name: names[below(names.count)])
            }
            for _ in 0..<(1 + below(3)) {
                let at = below(bytes.count)
                switch below(6) {
                case 0 where !bytes.isEmpty: bytes[at] ^= UInt8(1) << UInt8(below(8))
                case 1 where bytes.count >= 16:
                    // A length field (at a record-ish offset) set to an edge value.
                    let field = (at / 16) * 16 + 12
                    guard field + 4 <= bytes.count else { break }
                    let values: [UInt32] = [0, 1, 15, 16, 17, 255, 4096, UInt32(Int32.max), UInt32.max]
                    withUnsafeBytes(of: values[below(values.count)].littleEndian) { bytes.replaceSubrange(field..<field + 4, with: $0) }
                case 2: bytes.removeSubrange(at..<bytes.count)
                case 3: bytes.insert(contentsOf: (0..<(1 + below(20))).map { _ in UInt8(truncatingIfNeeded: rng.next()) }, at: at)
                case 4 where !bytes.isEmpty: bytes.removeSubrange(at..<min(bytes.count, at + 1 + below(16)))
                default: bytes += bytes.prefix(below(bytes.count + 1))
                }
            }
            if let problem = Self.disagreement(bytes) {
                Issue.record("seed \(seed), iteration \(iteration): \(problem) for \(bytes)")
                return
            }
        }
    }

    @Test func maskDescriptionNamesTheBits() {
        #expect(InotifyMask([.create, .isDirectory]).description == "CREATE|ISDIR")
        #expect(InotifyMask(rawValue: 0).description == "0")
        #expect(InotifyMask(rawValue: 0x0080_0000).description == "0x800000")
    }

    @Test func namesTheWatcherCaresAbout() {
        for kept in ["p1", "swp", "a.sw", "x.swpx", "t~1", "caf\u{E9}"] {
            #expect(TaskTreeNames.isCandidateDirectory(kept))
            #expect(TaskTreeNames.isCandidateDirectory(utf8: Array(kept.utf8)))
        }
        for ignored in ["", ".git", ".", ".TASK.md.orange-tmp-1", "t1~", "x.swp", ".\u{301}x"] {
            #expect(!TaskTreeNames.isCandidateDirectory(ignored))
            #expect(!TaskTreeNames.isCandidateDirectory(utf8: Array(ignored.utf8)))
        }
        #expect(TaskTreeNames.cookieToken(".orange-cookie-12-3") == "12-3")
        #expect(TaskTreeNames.cookieToken(".orange-cookie-") == nil)
        #expect(TaskTreeNames.cookieToken("TASK.md") == nil)
        #expect(TaskTreeNames.cookieFileName(token: "9-1") == ".orange-cookie-9-1")
    }

    /// `orange watch sync`, the engine and `orange doctor` read the sync cookie's name by one rule.
    @Test func aSyncCookieNameCarriesItsTokenBackAndAWatcherCookieCarriesNone() {
        let name = TaskTreeNames.syncCookieFileName(token: "12-34")
        #expect(name == ".orange-cookie-sync-12-34")
        #expect(TaskTreeNames.cookieToken(name).flatMap(TaskTreeNames.syncToken(fromCookie:)) == "12-34")
        #expect(TaskTreeNames.syncToken(fromCookie: "12-34") == nil)
    }
}
