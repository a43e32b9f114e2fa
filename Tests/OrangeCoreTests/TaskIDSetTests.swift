import OrangeTestSupport
import Testing

@testable import OrangeCore

/// `TaskIDSet` against `Set<TaskID>` over random inserts and removes, through every shape it
/// takes (empty, one id inline, a table, back to one and empty).
@Suite struct TaskIDSetTests {
    @Test(arguments: 0..<20)
    func itHoldsWhatASetHolds(seed: UInt64) {
        var rng = SeededRandom(seed: seed &* 31 &+ 5)
        let ids = (0..<Int(rng.next() % 6 + 1)).map { TaskID(validating: "t\($0)")! }
        var set = TaskIDSet()
        var expected: Set<TaskID> = []
        for step in 0..<200 {
            let id = ids[Int(rng.next() % UInt64(ids.count))]
            if rng.next() % 3 == 0 {
                set.remove(id)
                expected.remove(id)
            } else {
                set.insert(id)
                expected.insert(id)
            }
            #expect(Set(set) == expected, "seed \(seed), step \(step)")
            #expect(Array(set).count == expected.count)
            #expect(set.count == expected.count)
            #expect(set.isEmpty == expected.isEmpty)
            #expect(ids.allSatisfy { set.contains($0) == expected.contains($0) })
        }
    }

    @Test func aLiteralDropsRepeats() {
        let a = TaskID(validating: "a1")!, b = TaskID(validating: "b2")!
        let set: TaskIDSet = [a, b, a]
        #expect(set.count == 2)
        #expect(Array(set).sorted() == [a, b])
        #expect((TaskIDSet() as TaskIDSet).isEmpty)
    }
}
