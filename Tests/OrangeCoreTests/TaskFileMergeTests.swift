import OrangeCore
import Testing

/// The field-by-field merge of TASK.md that git's driver runs (docs/task-merge.md), each rule on
/// its own; the body's line merge is a stand-in here (git's own in the driver's tests).
@Suite struct TaskFileMergeTests {
    /// A task file: `lines` are the front matter after id and project.
    static func file(_ lines: [String], body: String = "Body\n") -> [UInt8] {
        Array(("---\nid: T1\nproject: coffee\n" + lines.map { $0 + "\n" }.joined() + "---\n" + body).utf8)
    }

    static let base = file(
        [
            "status: working", "description: Make coffee", "mine: first", "blocked_by: [A1, B1]", "children: [C1]",
            "updated_at: '2026-01-01T00:00:00.000Z'", "later: last",
        ], body: "one\ntwo\nthree\n")

    /// A copy of `base` with each `replacements` key's line replaced (nil: removed).
    static func edit(_ replacements: [String: String?], added: [String] = [], body: String? = nil) -> [UInt8] {
        var lines = [
            "status: working", "description: Make coffee", "mine: first", "blocked_by: [A1, B1]", "children: [C1]",
            "updated_at: '2026-01-01T00:00:00.000Z'", "later: last",
        ]
        lines = lines.compactMap { line in
            let key = String(line.prefix { $0 != ":" })
            guard let replacement = replacements[key] else { return line }
            return replacement.map { "\(key): \($0)" }
        }
        lines += added
        return file(lines, body: body ?? "one\ntwo\nthree\n")
    }

    static func noTextMerge(_: String, _: String, _: String) -> TaskFileMerge.TextMerge {
        Issue.record("the body's text merge was asked for although at most one side changed the body")
        return TaskFileMerge.TextMerge(text: "", clean: false)
    }

    func merged(
        base: [UInt8] = Self.base, _ ours: [UInt8], _ theirs: [UInt8],
        mergeText: (String, String, String) throws -> TaskFileMerge.TextMerge = Self.noTextMerge
    ) throws -> (task: TaskRecord, document: FrontmatterDocument, text: String, conflicts: [String]) {
        let outcome = try TaskFileMerge.merge(TaskFileMerge.Input(base: base, ours: ours, theirs: theirs), mergeText: mergeText)
        guard case .merged(let text, let conflicts) = outcome else {
            Issue.record("not merged: \(outcome)")
            throw FrontmatterError(line: 0, reason: "not merged")
        }
        return (try TaskRecord.parse(text), try FrontmatterCodec.parse(text), text, conflicts)
    }

    @Test func aKeyChangedOnOneSideTakesThatSide() throws {
        let ours = Self.edit(["description": "Make tea"])
        let theirs = Self.edit(["status": "reviewing", "later": nil], body: "one\ntwo\nthree\nfour\n")
        let result = try merged(ours, theirs)
        #expect(result.conflicts.isEmpty)
        #expect(result.task.description == "Make tea")
        #expect(result.task.status == .reviewing)
        #expect(result.document.entry("later") == nil, "their removal is kept")
        #expect(result.task.body == "one\ntwo\nthree\nfour\n")
        #expect(result.document.entry(TaskFileMerge.conflictKey) == nil)
    }

    @Test func unknownKeysKeepTheirValuesAndOrder() throws {
        let ours = Self.edit(["mine": "changed by us"], added: ["ours_only: 1"])
        let theirs = Self.edit(["description": "Make tea"], added: ["theirs_only: [x, y]"])
        let result = try merged(ours, theirs)
        #expect(result.conflicts.isEmpty)
        #expect(
            result.document.entries.map(\.key) == [
                "id", "project", "status", "description", "mine", "blocked_by", "children", "updated_at", "later", "theirs_only",
                "ours_only",
            ])
        #expect(result.document.entry("mine")?.value.text == "changed by us")
        #expect(result.document.entry("theirs_only")?.value == .list([.plain("x"), .plain("y")]))
        #expect(result.document.entry("ours_only")?.value == .plain("1"))
    }

    @Test func aKeyTheyAddedSitsAfterTheKeyBeforeItInTheirFile() throws {
        let theirs = Self.file(
            [
                "status: working", "description: Make coffee", "mine: first", "inserted: here", "blocked_by: [A1, B1]", "children: [C1]",
                "updated_at: '2026-01-01T00:00:00.000Z'", "later: last",
            ], body: "one\ntwo\nthree\n")
        let result = try merged(Self.edit(["later": "changed"]), theirs)
        let keys = result.document.entries.map(\.key)
        #expect(keys.firstIndex(of: "inserted") == keys.firstIndex(of: "mine").map { $0 + 1 })
    }

    @Test func blockerAndChildListsMergeAsSets() throws {
        // Ours adds D1 and removes A1 from the blockers; theirs adds E1, removes B1, and adds
        // D1 too; children: both add, one removes.
        let ours = Self.edit(["blocked_by": "[B1, D1]", "children": "[C1, K1]"])
        let theirs = Self.edit(["blocked_by": "[A1, E1, D1]", "children": "[L1]"])
        let result = try merged(ours, theirs)
        #expect(result.conflicts.isEmpty)
        #expect(result.task.blockedBy.map(\.rawValue) == ["D1", "E1"])
        #expect(result.task.children.map(\.rawValue) == ["K1", "L1"])
        // Merging the other way round gives the same sets.
        let reverse = try merged(theirs, ours)
        #expect(Set(reverse.task.blockedBy) == Set(result.task.blockedBy))
        #expect(Set(reverse.task.children) == Set(result.task.children))
    }

    @Test func aListAddedOnBothSidesWithoutABaseIsTheUnion() throws {
        let ours = Self.file(["status: pending", "blocked_by: [A1]"])
        let theirs = Self.file(["status: pending", "blocked_by: [B1]"])
        let result = try merged(base: [], ours, theirs)
        #expect(result.conflicts.isEmpty)
        #expect(result.task.blockedBy.map(\.rawValue) == ["A1", "B1"])
    }

    @Test func statusChangedOnBothSidesFollowsTheTransitionTable() throws {
        // A terminal status over any other: a person cancelled while the other machine claimed it.
        #expect(StatusMerge.decide(.working, .cancelled) == (.cancelled, false))
        #expect(StatusMerge.decide(.done, .reviewing) == (.done, false))
        // One reachable from the other and not back: the later one wins.
        #expect(StatusMerge.decide(.reviewed, .working) == (.working, false))  // changes requested after an approval
        #expect(StatusMerge.decide(.reviewing, .stuck) == (.stuck, false))
        // Undecided by the table: the later in the lifecycle, reported as a conflict.
        #expect(StatusMerge.decide(.pending, .reviewing) == (.reviewing, true))
        #expect(StatusMerge.decide(.clarification, .reviewing) == (.reviewing, true))
        #expect(StatusMerge.decide(.done, .cancelled) == (.done, true))
        // The answer never depends on which side merges.
        for a in TaskStatus.allCases {
            for b in TaskStatus.allCases {
                #expect(StatusMerge.decide(a, b) == StatusMerge.decide(b, a), "\(a) \(b)")
            }
        }
    }

    @Test func statusChangedOnBothSidesIsMergedThroughTheRule() throws {
        let decided = try merged(Self.edit(["status": "reviewing"]), Self.edit(["status": "cancelled"]))
        #expect(decided.task.status == .cancelled)
        #expect(decided.conflicts.isEmpty)
        let undecided = try merged(Self.edit(["status": "clarification"]), Self.edit(["status": "reviewing"]))
        #expect(undecided.task.status == .reviewing)
        #expect(undecided.conflicts == ["status"])
        #expect(TaskFileMerge.conflictFields(of: undecided.task) == ["status"])
        #expect(undecided.task.body.contains("- status: kept \"reviewing\"; the other side had \"clarification\""))
    }

    @Test func aScalarChangedDifferentlyKeepsBothSidesAndMarksTheTask() throws {
        // Theirs is the newer edit: its value stays in the front matter, ours goes to the section.
        let ours = Self.edit(["description": "Make tea", "updated_at": "'2026-01-01T00:00:05.000Z'"])
        let theirs = Self.edit(["description": "Make cocoa", "updated_at": "'2026-01-01T00:00:09.000Z'"])
        let result = try merged(ours, theirs)
        #expect(result.conflicts == ["description"])
        #expect(result.task.description == "Make cocoa")
        #expect(result.task.updatedAt == Timestamp(rfc3339: "2026-01-01T00:00:09.000Z"))
        #expect(TaskFileMerge.conflictFields(of: result.task) == ["description"])
        #expect(result.task.body.hasPrefix("one\ntwo\nthree\n"))
        #expect(result.task.body.contains(TaskFileMerge.sectionHeading))
        #expect(result.task.body.contains("- description: kept \"Make cocoa\"; the other side had \"Make tea\""))
        // Whichever machine merges keeps the same value.
        let reverse = try merged(theirs, ours)
        #expect(reverse.task.description == "Make cocoa")
        #expect(reverse.conflicts == ["description"])
    }

    @Test func aRemovalLosesToAChangeAndIsReported() throws {
        let result = try merged(Self.edit(["mine": nil]), Self.edit(["mine": "second"]))
        #expect(result.document.entry("mine")?.value.text == "second")
        #expect(result.conflicts == ["mine"])
        #expect(result.task.body.contains("- mine: kept \"second\"; the other side had no such key"))
    }

    @Test func updatedAtAndCountersNeverConflict() throws {
        let ours = Self.edit(["updated_at": "'2026-01-01T00:00:05.000Z'"], added: ["spawn_failures: 2"])
        let theirs = Self.edit(["updated_at": "'2026-01-01T00:00:03.000Z'"], added: ["spawn_failures: 1"])
        let result = try merged(ours, theirs)
        #expect(result.conflicts.isEmpty)
        #expect(result.task.updatedAt == Timestamp(rfc3339: "2026-01-01T00:00:05.000Z"))
        #expect(result.task.spawnFailures == 2)
    }

    @Test func theBodyGoesThroughTheTextMergeWhenBothSidesChangedIt() throws {
        let ours = Self.edit([:], body: "ONE\ntwo\nthree\n")
        let theirs = Self.edit([:], body: "one\ntwo\nTHREE\n")
        var asked: [String] = []
        let clean = try merged(ours, theirs) { base, o, t in
            asked = [base, o, t]
            return TaskFileMerge.TextMerge(text: "ONE\ntwo\nTHREE\n", clean: true)
        }
        #expect(asked == ["one\ntwo\nthree\n", "ONE\ntwo\nthree\n", "one\ntwo\nTHREE\n"])
        #expect(clean.task.body == "ONE\ntwo\nTHREE\n")
        #expect(clean.conflicts.isEmpty)

        let conflicting = try merged(ours, theirs) { _, o, t in
            TaskFileMerge.TextMerge(text: "<<<<<<< ours\n\(o)=======\n\(t)>>>>>>> theirs\n", clean: false)
        }
        #expect(conflicting.conflicts == [TaskFileMerge.bodyField])
        #expect(conflicting.task.body.contains("ONE\ntwo\nthree\n=======\none\ntwo\nTHREE\n"))
        #expect(TaskFileMerge.conflictFields(of: conflicting.task) == ["body"])
        #expect(!conflicting.task.body.contains(TaskFileMerge.sectionHeading), "the body's conflict is in the body itself")
    }

    @Test func anEarlierConflictMarkStaysAndGrows() throws {
        let ours = Self.edit(["description": "Make tea"], added: ["merge_conflict: [status]"])
        let theirs = Self.edit(["description": "Make cocoa"])
        let result = try merged(ours, theirs)
        #expect(TaskFileMerge.conflictFields(of: result.task) == ["status", "description"])
    }

    @Test func anEmptyOrNullMarkIsNoMark() throws {
        for value in ["[]", "null", "''"] {
            let task = try TaskRecord.parse(String(decoding: Self.edit([:], added: ["merge_conflict: \(value)"]), as: UTF8.self))
            #expect(TaskFileMerge.conflictFields(of: task) == nil, "\(value)")
        }
    }

    @Test func whenNothingChangesForUsOurBytesAreKept() throws {
        // Ours has a comment and a plain spelling; theirs made the same change in orange's spelling.
        let ours = Self.file(["# a note of mine", "status: working", "description: Make tea"])
        let theirs = Self.file(["status: 'working'", "description: 'Make tea'"])
        let base = Self.file(["status: pending", "description: Make coffee"])
        let result = try merged(base: base, ours, theirs)
        #expect(result.text == String(decoding: ours, as: UTF8.self))
    }

    @Test func aSideOrangeCannotReadIsNeverMergedFieldByField() throws {
        let good = Self.edit(["description": "Make tea"])
        let broken = Array("---\nid: [\n---\nbody\n".utf8)
        let notUTF8 = Self.edit([:]) + [0xFF]
        let badStatus = Self.edit(["status": "sleeping"])
        for (ours, theirs, side) in [
            (broken, good, "ours"), (good, broken, "theirs"), (good, notUTF8, "theirs"), (badStatus, good, "ours"),
        ] {
            let outcome = TaskFileMerge.merge(TaskFileMerge.Input(base: Self.base, ours: ours, theirs: theirs), mergeText: Self.noTextMerge)
            guard case .unreadable(let reported, let reason) = outcome else {
                Issue.record("merged although \(side) is unreadable: \(outcome)")
                continue
            }
            #expect(reported == side)
            #expect(reason.hasPrefix("line "), "\(reason)")
        }
    }

    @Test func anUnreadableBaseMergesAsIfTheFileWasAddedOnBothSides() throws {
        let result = try merged(base: Array("not a task".utf8), Self.edit(["description": "Make tea"]), Self.edit([:]))
        #expect(result.conflicts == ["description"])
        #expect(result.task.body.contains("Make coffee") && result.task.body.contains("Make tea"), "both values are kept")
    }
}
