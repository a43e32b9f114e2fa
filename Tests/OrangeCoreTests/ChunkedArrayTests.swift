import OrangeTestSupport
import Testing

@testable import OrangeCore

/// `ChunkedArray`'s in-place passes against the same passes over a plain array, across chunks.
@Suite struct ChunkedArrayTests {
    @Test(arguments: [0, 1, 7, 1_000, 5_000])
    func filteringInPlaceKeepsWhatFilteringKeepsInOrder(count: Int) {
        var rng = SeededRandom(seed: UInt64(count) &+ 11)
        let values = (0..<count).map { _ in "v\(rng.next() % 1_000)" }
        var chunked = ChunkedArray<String>()
        for value in values { chunked.append(value) }
        let kept = chunked.filterInPlace { $0.pointee.hasSuffix("7") }
        #expect(kept == values.filter { $0.hasSuffix("7") })
        var visited: [Int] = []
        chunked.forEachInPlace { place, element in
            #expect(element.pointee == values[place])
            visited.append(place)
        }
        #expect(visited == Array(0..<count))
    }
}
