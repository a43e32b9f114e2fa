import OrangeCore
import Testing

/// The compact hash index (places only, the keys kept by the holder) against a dictionary, over
/// random additions, removals that fill the hole with the last element, and replacements,
/// including keys whose hashes collide, and copies taken along the way.
struct PositionIndexTests {
    /// A key of few distinct hashes: every look-up walks past entries of the same hash.
    struct CollidingKey: Hashable {
        var value: Int
        func hash(into hasher: inout Hasher) { hasher.combine(value % 3) }
    }

    /// A holder as the tables use the index: its keys in an array, the index to their places.
    struct Holder<Key: Hashable, Index: PositionIndexing> {
        var keys: [Key] = []
        var values: [Int] = []
        var index = Index()

        subscript(key: Key) -> Int? {
            index.position(of: key) { keys[$0] }.map { values[$0] }
        }

        /// Upsert through the single-probe insertion; returns the value replaced.
        mutating func upsert(_ key: Key, _ value: Int) -> Int? {
            if let position = index.insertIfAbsent(key, at: keys.count, keyAt: { keys[$0] }) {
                defer { values[position] = value }
                return values[position]
            }
            keys.append(key)
            values.append(value)
            return nil
        }

        mutating func insertNew(_ key: Key, _ value: Int) {
            index.insert(key, at: keys.count)
            keys.append(key)
            values.append(value)
        }

        /// Removes `key`, its place taken by the last key.
        mutating func remove(_ key: Key) -> Int? {
            guard let position = index.remove(key, keyAt: { keys[$0] }) else { return nil }
            let removed = values[position]
            let lastKey = keys.removeLast(), lastValue = values.removeLast()
            if position < keys.count {
                keys[position] = lastKey
                values[position] = lastValue
                index.move(lastKey, from: keys.count, to: position)
            }
            return removed
        }

        var dictionary: [Key: Int] {
            Dictionary(uniqueKeysWithValues: zip(keys, values))
        }
    }

    static func exercise<Key: Hashable, Index: PositionIndexing>(
        _: Index.Type, keys keyRange: Int, steps: Int, _ makeKey: (Int) -> Key
    ) {
        var holder = Holder<Key, Index>()
        var plain: [Key: Int] = [:]
        var rng = SystemRandomNumberGenerator()
        var copies: [(Holder<Key, Index>, [Key: Int])] = []
        for step in 0..<steps {
            let key = makeKey(Int.random(in: 0..<keyRange, using: &rng))
            switch Int.random(in: 0..<10, using: &rng) {
            case 0..<4:
                #expect(holder.upsert(key, step) == plain[key])
                plain[key] = step
            case 4:
                if plain[key] == nil {
                    holder.insertNew(key, step)
                    plain[key] = step
                }
            case 5..<8:
                #expect(holder.remove(key) == plain.removeValue(forKey: key))
            case 8:
                // A look-up of a present or absent key.
                #expect(holder[key] == plain[key])
            default:
                // Emptied now and then, so that growth starts again from nothing.
                if Int.random(in: 0..<200, using: &rng) == 0 {
                    for existing in Array(plain.keys) { _ = holder.remove(existing) }
                    plain = [:]
                }
            }
            #expect(holder.index.count == plain.count)
            if step % 997 == 0 { copies.append((holder, plain)) }
        }
        for (copy, expected) in copies + [(holder, plain)] {
            #expect(copy.dictionary == expected)
            #expect(copy.index.count == expected.count)
            for key in (0..<keyRange).map(makeKey) {
                #expect(copy[key] == expected[key])
            }
        }
    }

    @Test func theIndexMatchesADictionaryOverRandomChanges() {
        Self.exercise(PositionIndex.self, keys: 3_000, steps: 40_000) { $0 }
        Self.exercise(PositionIndex.self, keys: 50, steps: 5_000) { "task-\($0)" }
    }

    @Test func theIndexMatchesADictionaryWhenEveryHashCollides() {
        Self.exercise(PositionIndex.self, keys: 200, steps: 8_000) { CollidingKey(value: $0) }
    }

    @Test func theShardedIndexMatchesADictionaryOverRandomChanges() {
        Self.exercise(ShardedPositionIndex.self, keys: 5_000, steps: 40_000) { $0 }
        Self.exercise(ShardedPositionIndex.self, keys: 200, steps: 8_000) { CollidingKey(value: $0) }
    }

    @Test func aHundredThousandEntriesTakeOneSlotOfEightBytesAndAQuarterMore() {
        var index = PositionIndex()
        index.reserveCapacity(100_000)
        #expect(index.capacity == 131_072)
        for key in 0..<100_000 { index.insert(key, at: key) }
        #expect(index.capacity == 131_072)
        #expect(index.position(of: 4_242) { $0 } == 4_242)
        var sharded = ShardedPositionIndex()
        for key in 0..<100_000 { sharded.insert(key, at: key) }
        #expect(sharded.capacity <= 262_144)
        #expect(sharded.position(of: 99_999) { $0 } == 99_999)
    }
}

/// The calls both indexes share, so that one property test drives each.
protocol PositionIndexing {
    init()
    var count: Int { get }
    func position<Key: Hashable>(of key: Key, keyAt: (Int) -> Key) -> Int?
    mutating func insert<Key: Hashable>(_ key: Key, at position: Int)
    mutating func insertIfAbsent<Key: Hashable>(_ key: Key, at position: Int, keyAt: (Int) -> Key) -> Int?
    mutating func remove<Key: Hashable>(_ key: Key, keyAt: (Int) -> Key) -> Int?
    mutating func move<Key: Hashable>(_ key: Key, from old: Int, to new: Int)
}

extension PositionIndex: PositionIndexing {}
extension ShardedPositionIndex: PositionIndexing {}
