import OrangeTestSupport
import Testing

@testable import OrangeSystem

/// The watcher's position table against a Swift dictionary, with a hash that sends many keys to
/// the same slot, so runs are long, wrap around the end and are shifted back on every removal.
@Suite struct WatchPositionIndexTests {
    @Test(arguments: [UInt64(1), 2, 3])
    func randomInsertsAndRemovalsMatchADictionary(seed: UInt64) {
        var rng = SeededRandom(seed: seed)
        // Position p holds key keys[p]; the table maps a key to its position.
        var keys: [Int] = []
        var index = WatchPositionIndex()
        var reference: [Int: Int32] = [:]
        func hash(_ key: Int) -> Int { key % 13 + (key % 2) * 1_000_003 }
        let hashOf = { (position: Int32) in hash(keys[Int(position)]) }
        for step in 0..<6_000 {
            let key = Int.random(in: 0..<900, using: &rng)
            if let position = reference[key] {
                // Removed the way WatchedTree does: the last position moves into the hole.
                index.remove(position, hash: hash(key), hashOf: hashOf)
                let last = Int32(keys.count - 1)
                if position != last {
                    index.replace(last, by: position, hash: hash(keys[Int(last)]))
                    keys[Int(position)] = keys[Int(last)]
                    reference[keys[Int(position)]] = position
                }
                keys.removeLast()
                reference[key] = nil
            } else if step % 7 == 0 {
                index.reserveCapacity(keys.count + 50, hashOf: hashOf)
            } else {
                keys.append(key)
                reference[key] = Int32(keys.count - 1)
                index.insert(Int32(keys.count - 1), hash: hash(key), hashOf: hashOf)
            }
            #expect(index.count == reference.count)
            // The key touched, and now and then every key.
            for probe in step % 500 == 0 ? Array(0..<900) : [key] {
                let found = index.find(hash: hash(probe)) { keys[Int($0)] == probe }
                #expect(found == reference[probe], "seed \(seed) step \(step) key \(probe)")
            }
        }
    }
}
