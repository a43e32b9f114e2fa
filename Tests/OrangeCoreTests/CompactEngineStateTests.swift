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
        var model: [TaskKey: TaskSlot] = [:]
        for step in 0..<20_000 {
            let key = TaskKey(project: "p", taskID: "t\(Int.random(in: 0..<200, using: &rng))")
            if Int.random(in: 0..<4, using: &rng) == 0 {
                table[key] = nil
                model[key] = nil
            } else {
                let slot = randomSlot(&rng, step: step)
                table[key] = slot
                model[key] = slot
            }
            #expect(table.count == model.count)
            #expect(table[key] == model[key])
        }
        #expect(Dictionary(uniqueKeysWithValues: table.map { ($0.key, $0.value) }) == model)
        #expect(table.values.count == model.count)
    }

    /// A slot at rest half of the time (kept compact), else with one field off its resting value.
    func randomSlot(_ rng: inout SeededRandom, step: Int) -> TaskSlot {
        var slot = TaskSlot()
        slot.current = .valid(contentHash: UInt64.random(in: 0...UInt64.max, using: &rng))
        slot.emitted = slot.current
        slot.fingerprint = FileFingerprint(inode: UInt64(step), size: 7, mtimeNanoseconds: -Int64(step))
        slot.lastChangeAt = UInt64(step)
        slot.lastHintAt = Bool.random(using: &rng) ? UInt64(step) * 3 : nil
        slot.sweepSeen = UInt64.random(in: 0...3, using: &rng)
        slot.resyncSeen = Bool.random(using: &rng) ? 1 : UInt64(UInt32.max) + 1
        switch Int.random(in: 0..<14, using: &rng) {
        case 0: slot.current = .absent
        case 1: slot.emitted = .invalid(line: 3, reason: "half written")
        case 2: slot.fingerprint = nil
        case 3: slot.pending = .read
        case 4: slot.gatePending = true
        case 5: slot.gateDeadline = 99
        case 6: slot.readsInFlight = 1
        case 7: slot.partialFactor = 4
        case 8: slot.reportedUnreadable = "EACCES"
        case 9: slot.tentativeInvalid = slot.fingerprint
        case 10:
            // The start-up batch's slots: reported, the gate waiting for its quiet period.
            slot.gatePending = true
            slot.gateDeadline = UInt64(step) + 300
        case 11:
            // A gate deadline too far after the last change to rest compact.
            slot.gatePending = true
            slot.gateDeadline = UInt64(step) + UInt64(UInt32.max) + 1
        default: break
        }
        return slot
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

    @Test func internedCompactRecordsAreEqualAndShareTheirIDs() {
        var interner = TaskRecordInterner()
        var rng = SeededRandom(seed: 4)
        func fresh(_ id: TaskID) -> TaskID { TaskID(validating: String(decoding: Array(id.rawValue.utf8), as: UTF8.self))! }
        for _ in 0..<200 {
            let record = randomRecord(&rng)
            let folder = interner.intern(fresh(record.id))
            let interned = interner.intern(CompactTaskRecord(record))
            #expect(interned.record == record)
            #expect(storage(interned.id) == storage(folder))
            for blocker in record.blockedBy {
                #expect(storage(interner.intern(fresh(blocker))) == storage(interned.blockedBy.first { $0 == blocker }!))
            }
            if let parent = record.parent { #expect(storage(interner.intern(fresh(parent))) == storage(interned.parent!)) }
        }
    }

    /// A record with each optional field set or not at random, the cold ones included.
    func randomRecord(_ rng: inout SeededRandom) -> TaskRecord {
        func maybe<T>(_ value: T) -> T? { Bool.random(using: &rng) ? value : nil }
        let ids = (0..<3).map { _ in TaskID.generate(using: &rng) }
        // Kept in one string: empty, inline, heap-sized and multi-byte parts, and a description
        // that starts with a combining mark (it must not join the branch's last character).
        let texts = ["", "b", "orange/a-branch-name-long-enough-for-the-heap", "caf\u{E9}-\u{65E5}\u{672C}", "e"]
        let descriptions = ["", "a description", "\u{301} starts with a combining accent", "\u{1F34A} orange"]
        return TaskRecord(
            id: TaskID.generate(using: &rng), project: ProjectName(validating: "p\(Int.random(in: 0..<3, using: &rng))")!,
            branch: texts.randomElement(using: &rng)!, harness: Bool.random(using: &rng) ? "claude" : "codex",
            status: TaskStatus.allCases.randomElement(using: &rng)!, description: descriptions.randomElement(using: &rng)!,
            parent: maybe(ids[0]), blockedBy: Array(ids.prefix(Int.random(in: 0...3, using: &rng))),
            children: Array(ids.suffix(Int.random(in: 0...2, using: &rng))), workspace: maybe("p--1"), tmuxSession: maybe("s"),
            createdAt: maybe(Timestamp(millisecondsSinceEpoch: Int64.random(in: -5...5, using: &rng))),
            updatedAt: maybe(Timestamp(millisecondsSinceEpoch: 0)), prURL: maybe("https://x/pr/1"),
            spawnFailures: Int.random(in: 0...1, using: &rng), lastError: maybe("boom"),
            spawnRetryAt: maybe(Timestamp(millisecondsSinceEpoch: 9)), agentCrashes: Int.random(in: 0...1, using: &rng),
            execution: maybe(.sequential), branches: maybe(.hierarchical), reassessed: maybe([ids[1]]) ?? [], hold: maybe(""),
            extra: maybe([FrontmatterEntry(key: "k", value: .string("v"))]) ?? [], body: maybe("notes\n") ?? "")
    }

    @Test func aCompactRecordGivesBackTheRecordStored() {
        var rng = SeededRandom(seed: 128)
        for _ in 0..<2_000 {
            let record = randomRecord(&rng)
            let compact = CompactTaskRecord(record)
            #expect(compact.record == record)
            #expect(compact.createdAt == record.createdAt && compact.hold == record.hold && compact.status == record.status)
            // Byte for byte: `==` on strings would also accept a canonically equivalent split.
            #expect(compact.branch.utf8.elementsEqual(record.branch.utf8))
            #expect(compact.description.utf8.elementsEqual(record.description.utf8))
        }
        // The common task (no cold field set) keeps no box: its size is the inline one.
        #expect(MemoryLayout<CompactTaskRecord>.stride <= 112)
    }

    /// `hasBranch` says what comparing the branch's bytes says, the description around it never
    /// counting: a prefix, the branch with the description's start, another length, non-ASCII.
    @Test func hasBranchComparesTheBranchBytesOnly() {
        var rng = SeededRandom(seed: 77)
        for _ in 0..<500 {
            let record = randomRecord(&rng)
            let compact = CompactTaskRecord(record)
            let branch = record.branch
            #expect(compact.hasBranch(branch))
            for other in [String(branch.dropLast()), branch + "x", branch + String(record.description.prefix(1)), "", "é" + branch] {
                #expect(compact.hasBranch(other) == other.utf8.elementsEqual(branch.utf8), "branch \(branch), asked \(other)")
            }
        }
        var accented = TaskRecord(id: TaskID(validating: "a")!, project: ProjectName(validating: "p")!, branch: "caf\u{E9}")
        accented.description = "notes"
        // Canonically equivalent as strings, other bytes as git sees them: not the same branch.
        #expect(CompactTaskRecord(accented).hasBranch("caf\u{E9}"))
        #expect(!CompactTaskRecord(accented).hasBranch("cafe\u{301}"))
    }

    @Test func theGraphAnswersFromCompactRecordsAsFromRecords() {
        var rng = SeededRandom(seed: 5)
        var records = (0..<300).map { _ in randomRecord(&rng) }
        // Edges between the tasks themselves, so readiness, children and cycles have work to do.
        for i in records.indices {
            records[i].project = ProjectName(validating: "p")!
            records[i].blockedBy = (0..<Int.random(in: 0...2, using: &rng)).map { _ in records.randomElement(using: &rng)!.id }
            if i > 0, Bool.random(using: &rng) { records[i].parent = records[Int.random(in: 0..<i, using: &rng)].id }
        }
        let graph = TaskGraph(records)
        let cycles = CycleIndex(graph: graph)
        for record in records {
            #expect(graph[record.id] == record)
            let expected: Readiness
            if record.status != .pending {
                expected = .notPending(record.status)
            } else if let hold = record.hold {
                expected = .held(hold)
            } else if let path = cycles.path(through: record.id) {
                expected = .onCycle(path)
            } else {
                let blockers = record.blockedBy.compactMap { id -> Blocker? in
                    let status = records.first { $0.id == id }!.status
                    if status == .done { return nil }
                    return Blocker(id: id, state: status == .cancelled || status == .failed ? .needsPerson(status) : .waiting(status))
                }
                expected = blockers.isEmpty ? .ready : .blocked(blockers)
            }
            #expect(graph.readiness(of: record.id, cycles: cycles) == expected)
            let named = records.filter { $0.parent == record.id }.map(\.id)
            #expect(Set(graph.children(of: record.id)) == Set(record.children + named))
        }
        #expect(Set(graph.tasks.values.map(\.id)) == Set(records.map(\.id)))
    }
}
