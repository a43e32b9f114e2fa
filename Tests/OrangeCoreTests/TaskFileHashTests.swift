import OrangeCore
import OrangeTestSupport
import Testing

/// The TASK.md content hash is XXH64 with seed 0: the published check values pin it, so the
/// store's announced hash and the reader's can never drift apart by a changed implementation.
@Suite struct TaskFileHashTests {
    @Test func matchesTheReferenceValues() {
        #expect(TaskFileHash.hash(Array("".utf8)) == 0xEF46_DB37_51D8_E999)
        #expect(TaskFileHash.hash(Array("abc".utf8)) == 0x44BC_2CF5_AD77_0999)
        // 39 bytes: one 32-byte stripe, then the 8-, 4- and 1-byte tails.
        #expect(TaskFileHash.hash(Array("Nobody inspects the spammish repetition".utf8)) == 0xFBCE_A83C_8A37_8BF1)
    }

    /// Every length through two stripes and their tails, and a one-bit change at every position
    /// of a 4 KB file (a body edit), gives another hash.
    @Test func everyLengthAndEveryByteCounts() {
        var rng = SeededRandom(seed: 0x4A54)
        let bytes = (0..<4096).map { _ in UInt8(rng.next() % 256) }
        var seen = Set<UInt64>()
        for length in 0...80 { seen.insert(TaskFileHash.hash(Array(bytes[..<length]))) }
        #expect(seen.count == 81)
        let whole = TaskFileHash.hash(bytes)
        for position in stride(from: 0, to: bytes.count, by: 37) {
            var edited = bytes
            edited[position] ^= 0x01
            #expect(TaskFileHash.hash(edited) != whole, "byte \(position)")
        }
    }
}
