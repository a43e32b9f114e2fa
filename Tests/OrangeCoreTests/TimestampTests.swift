import OrangeCore
import Testing

@Suite struct TimestampTests {
    @Test func formatsEpochAndKnownDates() {
        #expect(Timestamp(millisecondsSinceEpoch: 0).rfc3339 == "1970-01-01T00:00:00.000Z")
        #expect(Timestamp(millisecondsSinceEpoch: 1_769_921_313_123).rfc3339 == "2026-02-01T04:48:33.123Z")
        #expect(Timestamp(millisecondsSinceEpoch: 951_782_400_000).rfc3339 == "2000-02-29T00:00:00.000Z")
    }

    @Test func parsesWhatItFormatsAcrossCenturies() {
        var ms: Int64 = -2_208_988_800_000  // 1900
        while ms < 4_102_444_800_000 {  // 2100
            let t = Timestamp(millisecondsSinceEpoch: ms)
            #expect(Timestamp(rfc3339: t.rfc3339) == t)
            ms += 86_399_999 * 37 + 12_345
        }
    }

    @Test func parsesOffsetsFractionsAndSeparators() {
        #expect(Timestamp(rfc3339: "2026-02-01T05:48:33.123+01:00")?.rfc3339 == "2026-02-01T04:48:33.123Z")
        #expect(Timestamp(rfc3339: "2026-02-01 04:48:33Z")?.rfc3339 == "2026-02-01T04:48:33.000Z")
        #expect(Timestamp(rfc3339: "2026-02-01T04:48:33.1234567Z")?.rfc3339 == "2026-02-01T04:48:33.123Z")
        #expect(Timestamp(rfc3339: "2026-02-01T04:48:33.5Z")?.rfc3339 == "2026-02-01T04:48:33.500Z")
    }

    @Test(arguments: [
        "", "2026-02-01", "2026-13-01T00:00:00Z", "2026-02-01T04:48:33", "2026-02-01T04:48:33.Z", "2026-02-01T04:48:33Zjunk", "yes",
    ])
    func rejectsMalformed(_ text: String) {
        #expect(Timestamp(rfc3339: text) == nil)
    }
}
