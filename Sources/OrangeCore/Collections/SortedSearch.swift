/// Binary search over a collection split in two parts, one after the other: the engine's ready
/// list, the list's chunks, a sorted scan and the dashboard's row lines all search this way.
extension RandomAccessCollection {
    /// The first index whose element is in the second part (`isInSecondPart` true), for a
    /// collection in which every such element comes after every other; `endIndex` when none is.
    /// O(log n) calls of `isInSecondPart`.
    public func partitioningIndex(where isInSecondPart: (Element) throws -> Bool) rethrows -> Index {
        var low = startIndex
        var count = self.count
        while count > 0 {
            let half = count / 2
            let middle = index(low, offsetBy: half)
            if try isInSecondPart(self[middle]) {
                count = half
            } else {
                low = index(after: middle)
                count -= half + 1
            }
        }
        return low
    }
}

extension RandomAccessCollection where Element: Comparable {
    /// The first index whose element is not below `element`, in a sorted collection: where
    /// `element` is, or would be inserted to keep the order.
    public func sortedLowerBound(of element: Element) -> Index { partitioningIndex { !($0 < element) } }
}
