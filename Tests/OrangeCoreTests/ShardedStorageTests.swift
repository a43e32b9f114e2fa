import OrangeCore
import Testing

/// The engine's graph tables in pieces: a copy taken before a change keeps what it saw, and the
/// pieces' bookkeeping (counts, chunk boundaries) holds across additions and removals.
struct ShardedStorageTests {
    @Test func aShardedDictionaryMatchesADictionaryAndCopiesStayApart() {
        var sharded = ShardedDictionary<Int, Set<Int>>()
        var plain: [Int: Set<Int>] = [:]
        var rng = SystemRandomNumberGenerator()
        var copies: [(ShardedDictionary<Int, Set<Int>>, [Int: Set<Int>])] = []
        for step in 0..<5_000 {
            let key = Int.random(in: 0..<700, using: &rng)
            switch Int.random(in: 0..<4, using: &rng) {
            case 3:
                // The table's upsert: one lookup that inserts only when absent.
                #expect(sharded.insertIfAbsent([step], forKey: key) == plain[key])
                if plain[key] == nil { plain[key] = [step] }
            case 0:
                sharded.modify(key, default: []) { $0.insert(step) }
                plain[key, default: []].insert(step)
            case 1:
                sharded.modify(key, default: []) { $0.removeAll() }
                if sharded[key]?.isEmpty == true { sharded.removeValue(forKey: key) }
                plain[key] = nil
            default:
                sharded[key] = [step]
                plain[key] = [step]
            }
            if step % 500 == 0 { copies.append((sharded, plain)) }
        }
        for (copy, expected) in copies + [(sharded, plain)] {
            #expect(copy.count == expected.count)
            #expect(Dictionary(uniqueKeysWithValues: copy.entries.map { ($0.key, $0.value) }) == expected)
            #expect(Set(copy.keys) == Set(expected.keys))
        }
    }

    @Test func aChunkedArrayMatchesAnArrayAcrossChunkBoundaries() {
        var chunked = ChunkedArray<Int>()
        var plain: [Int] = []
        for value in 0..<3_000 {
            chunked.append(value)
            plain.append(value)
        }
        let copy = chunked
        chunked[5] = -5
        chunked[2_047] = -1
        plain[5] = -5
        plain[2_047] = -1
        for _ in 0..<1_100 { #expect(chunked.removeLast() == plain.removeLast()) }
        #expect(Array(chunked) == plain)
        #expect(Array(copy) == Array(0..<3_000))
    }
}
