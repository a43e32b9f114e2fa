import OrangeCore
import OrangeTestSupport
import Testing

@testable import OrangeCore

/// The engine's compact state (docs/performance.md, the engine's memory) holds exactly what the
/// plain dictionaries held: same lookups after any sequence of changes, and equal records.
@Suite struct CompactEngineStateTests {
    /// The id's string storage, to tell a shared copy from an equal one.
    func storage(_ id: TaskID) -> UnsafeRawPointer? {
        id.rawValue.utf8.withContiguousStorageIfAvailable { UnsafeRawPointer($0.baseAddress) } ?? nil
    }

    @Test func theTaskTableAnswersLikeADictionary() {
        var rng = SeededRandom(seed: 18)
        var table = TaskTable()
        var model: [TaskID: TaskRecord] = [:]
        for step in 0..<5_000 {
            let id = tid("t\(Int.random(in: 0..<200, using: &rng))")
            if Int.random(in: 0..<3, using: &rng) == 0 {
                #expect(table.remove(id) == model.removeValue(forKey: id))
            } else {
                var record = task(id.rawValue, at: Int64(step))
                record.description = "step \(step)"
                #expect(table.upsert(record) == model.updateValue(record, forKey: id))
            }
            #expect(table.count == model.count)
        }
        #expect(table.dictionary == model)
        #expect(Set(table.keys) == Set(model.keys))
        for id in (0..<200).map({ tid("t\($0)") }) { #expect(table[id] == model[id]) }
    }

    @Test func theSlotTableAnswersLikeADictionary() {
        var rng = SeededRandom(seed: 7)
        var table = TaskSlotTable()
        var model: [TaskKey: UInt64] = [:]
        for step in 0..<5_000 {
            let key = TaskKey(project: "p", taskID: "t\(Int.random(in: 0..<200, using: &rng))")
            if Int.random(in: 0..<3, using: &rng) == 0 {
                table[key] = nil
                model[key] = nil
            } else {
                var slot = table[key] ?? TaskSlot()
                slot.lastChangeAt = UInt64(step)
                table[key] = slot
                model[key] = UInt64(step)
            }
            #expect(table.count == model.count)
        }
        #expect(Dictionary(uniqueKeysWithValues: table.map { ($0.key, $0.value.lastChangeAt) }) == model)
    }

    @Test func internedRecordsAreEqualAndShareTheirIDs() {
        var interner = TaskRecordInterner()
        var rng = SeededRandom(seed: 3)
        let blocker = TaskID.generate(using: &rng), parent = TaskID.generate(using: &rng)
        // Each id from its own string, as two files parsed apart give them.
        func fresh(_ id: TaskID) -> TaskID { TaskID(validating: String(decoding: Array(id.rawValue.utf8), as: UTF8.self))! }
        var dependent = TaskRecord(
            id: TaskID.generate(using: &rng), project: ProjectName(validating: "a-project-with-a-long-name")!, branch: "b",
            parent: fresh(parent), blockedBy: [fresh(blocker)], children: [fresh(blocker)], reassessed: [fresh(blocker)])
        dependent.hold = "waiting"
        let first = interner.intern(TaskRecord(id: fresh(blocker), project: dependent.project, branch: "c"))
        let second = interner.intern(dependent)
        #expect(second == dependent)
        #expect(storage(second.blockedBy[0]) == storage(first.id))
        #expect(storage(second.children[0]) == storage(first.id))
        #expect(storage(second.reassessed[0]) == storage(first.id))
        #expect(storage(second.blockedBy[0]) != storage(dependent.blockedBy[0]))
        #expect(interner.intern(fresh(parent)) == parent)
        #expect(storage(interner.intern(fresh(parent))) == storage(second.parent!))
    }
}
