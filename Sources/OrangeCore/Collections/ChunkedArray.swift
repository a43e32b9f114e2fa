/// An array kept in chunks of 1,024 elements, so that a copy shares every chunk and a change made
/// after the copy duplicates one chunk instead of every element (see `ShardedDictionary`: the
/// engine's table of 100,000 records was copied whole at its first change after a reader took
/// the graph).
public struct ChunkedArray<Element>: RandomAccessCollection {
    @usableFromInline var chunks: [[Element]] = []
    public private(set) var count = 0

    @usableFromInline static var chunkShift: Int { 10 }
    @usableFromInline static var chunkSize: Int { 1 << chunkShift }

    public init() {}

    // Inlinable, as the standard collections: used from another module, an unspecialized
    // subscript copied each record through its value witnesses (most of a `task create`'s check).
    @inlinable public var startIndex: Int { 0 }
    @inlinable public var endIndex: Int { count }

    @inlinable public subscript(position: Int) -> Element {
        get { chunks[position >> Self.chunkShift][position & (Self.chunkSize - 1)] }
        set { chunks[position >> Self.chunkShift][position & (Self.chunkSize - 1)] = newValue }
    }

    public mutating func append(_ element: Element) {
        if count & (Self.chunkSize - 1) == 0 {
            var chunk: [Element] = []
            chunk.reserveCapacity(Self.chunkSize)
            chunks.append(chunk)
        }
        chunks[chunks.count - 1].append(element)
        count += 1
    }

    @discardableResult
    public mutating func removeLast() -> Element {
        let last = chunks[chunks.count - 1].removeLast()
        if chunks[chunks.count - 1].isEmpty { chunks.removeLast() }
        count -= 1
        return last
    }

    /// The elements `isIncluded` accepts, each looked at where it is stored: iterating copies
    /// every element (a retain of each of its references), which showed in the engine's full
    /// passes over 100,000 records to find the few it wants.
    public func filterInPlace(_ isIncluded: (UnsafePointer<Element>) throws -> Bool) rethrows -> [Element] {
        var kept: [Element] = []
        try forEachInPlace { _, element in
            if try isIncluded(element) { kept.append(element.pointee) }
        }
        return kept
    }

    /// Calls `body` with each element's place and address, in order: a read of a few fields of a
    /// large element then copies those fields, not the whole element (each of its references
    /// retained and released again, most of a pass over the engine's 100,000 records).
    public func forEachInPlace(_ body: (Int, UnsafePointer<Element>) throws -> Void) rethrows {
        var position = 0
        for chunk in chunks {
            try chunk.withUnsafeBufferPointer { buffer in
                for offset in buffer.indices {
                    try body(position, buffer.baseAddress! + offset)
                    position += 1
                }
            }
        }
    }

    /// Room for `count` elements: the chunk list's own capacity (each chunk is made whole).
    public mutating func reserveCapacity(_ count: Int) {
        chunks.reserveCapacity(count / Self.chunkSize + 1)
    }
}

extension ChunkedArray: Sendable where Element: Sendable {}
