import OrangeCore
import OrangeTestSupport
import Testing

/// The binary searches answer what a scan from the start answers, on sorted arrays with repeats,
/// empty ones and slices that do not start at 0.
struct SortedSearchTests {
    @Test func theSearchesAgreeWithALinearScan() {
        var random = SeededRandom(seed: 18)
        for _ in 0..<500 {
            let values = (0..<Int.random(in: 0...40, using: &random)).map { _ in Int.random(in: 0...20, using: &random) }.sorted()
            let start = values.isEmpty ? 0 : Int.random(in: 0...values.count, using: &random)
            let slice = values[start...]
            for probe in -1...21 {
                #expect(slice.sortedLowerBound(of: probe) == (slice.firstIndex { $0 >= probe } ?? slice.endIndex))
                #expect(slice.partitioningIndex { $0 > probe } == (slice.firstIndex { $0 > probe } ?? slice.endIndex))
            }
        }
    }
}
