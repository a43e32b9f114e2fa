import OrangeCore
import OrangeTestSupport
import Testing

/// Random edits of one task on two sides, merged both ways round: every value either side wrote
/// is in the result (as the field's value, or kept in the conflict section), the result reads
/// back as a task, and which side merges never changes the values.
@Suite struct TaskFileMergePropertyTests {
    struct Version {
        var status: TaskStatus
        var description: String?
        var mine: String?
        var blockers: [String]
        var body: String

        var bytes: [UInt8] {
            var lines = ["id: T1", "project: coffee", "status: \(status.rawValue)"]
            if let description { lines.append("description: '\(description)'") }
            lines.append("blocked_by: [\(blockers.joined(separator: ", "))]")
            if let mine { lines.append("mine: '\(mine)'") }
            return Array(("---\n" + lines.map { $0 + "\n" }.joined() + "---\n" + body).utf8)
        }
    }

    static let words = ["tea", "coffee", "cocoa", "water"]
    static let ids = ["A1", "B1", "C1", "D1", "E1"]

    static func randomVersion(_ random: inout SeededRandom) -> Version {
        Version(
            status: TaskStatus.allCases.randomElement(using: &random)!, description: words.randomElement(using: &random)!,
            mine: Bool.random(using: &random) ? words.randomElement(using: &random)! : nil,
            blockers: ids.filter { _ in Bool.random(using: &random) }, body: "line \(Int.random(in: 0...2, using: &random))\n")
    }

    /// `base` with each field changed or kept at random.
    static func edited(_ base: Version, _ random: inout SeededRandom) -> Version {
        var v = base
        let other = randomVersion(&random)
        if Bool.random(using: &random) { v.status = other.status }
        if Bool.random(using: &random) { v.description = other.description }
        if Bool.random(using: &random) { v.mine = other.mine }
        if Bool.random(using: &random) { v.blockers = other.blockers }
        if Bool.random(using: &random) { v.body = other.body }
        return v
    }

    static func textMerge(_ base: String, _ ours: String, _ theirs: String) -> TaskFileMerge.TextMerge {
        TaskFileMerge.TextMerge(text: "<<<<<<< ours\n\(ours)=======\n\(theirs)>>>>>>> theirs\n", clean: false)
    }

    @Test func nothingEitherSideWroteIsLostAndTheSideThatMergesDoesNotMatter() throws {
        let seed = FuzzBudget.seed(default: 17)
        var random = SeededRandom(seed: seed)
        for iteration in 0..<FuzzBudget.iterations(default: 400) {
            let base = Self.randomVersion(&random)
            let ours = Self.edited(base, &random)
            let theirs = Self.edited(base, &random)
            let context = "seed \(seed) iteration \(iteration)"
            let one = TaskFileMerge.merge(.init(base: base.bytes, ours: ours.bytes, theirs: theirs.bytes), mergeText: Self.textMerge)
            let other = TaskFileMerge.merge(.init(base: base.bytes, ours: theirs.bytes, theirs: ours.bytes), mergeText: Self.textMerge)
            guard case .merged(let text, let conflicts) = one, case .merged(let reverseText, _) = other else {
                Issue.record("\(context): not merged: \(one) \(other)")
                continue
            }
            let task = try TaskRecord.parse(text)
            let reverse = try TaskRecord.parse(reverseText)
            let document = try FrontmatterCodec.parse(text)
            // Scalars: a one-sided change is taken; two changes keep one value and the other in the section.
            for (key, b, o, t) in [
                ("description", base.description, ours.description, theirs.description), ("mine", base.mine, ours.mine, theirs.mine),
            ] {
                let merged = document.entry(key)?.value.text
                if o == t || t == b {
                    #expect(merged == o, "\(context): \(key)")
                } else if o == b {
                    #expect(merged == t, "\(context): \(key)")
                } else {
                    #expect(merged == o || merged == t, "\(context): \(key)")
                    #expect(conflicts.contains(key), "\(context): \(key) is not reported")
                    for value in [o, t].compactMap({ $0 }) { #expect(text.contains(value), "\(context): \(key) \(value) is lost") }
                }
                #expect(
                    merged == (try FrontmatterCodec.parse(reverseText)).entry(key)?.value.text, "\(context): \(key) depends on the side")
            }
            // Blockers: additions from both, removals from either.
            let (b, o, t) = (Set(base.blockers), Set(ours.blockers), Set(theirs.blockers))
            let expected = b.intersection(o).intersection(t).union(o.subtracting(b)).union(t.subtracting(b))
            #expect(Set(task.blockedBy.map(\.rawValue)) == expected, "\(context): blocked_by")
            #expect(Set(task.blockedBy) == Set(reverse.blockedBy), "\(context): blocked_by depends on the side")
            // The status is one side's, the same whichever side merges.
            #expect(task.status == ours.status || task.status == theirs.status, "\(context): status")
            #expect(task.status == reverse.status, "\(context): status depends on the side")
            // The body: a one-sided change is taken, two changes are both in the file.
            if ours.body == theirs.body || theirs.body == base.body {
                #expect(task.body.hasPrefix(ours.body), "\(context): body")
            } else if ours.body == base.body {
                #expect(task.body.hasPrefix(theirs.body), "\(context): body")
            } else {
                #expect(task.body.contains(ours.body) && task.body.contains(theirs.body), "\(context): a body is lost")
                #expect(conflicts.contains(TaskFileMerge.bodyField), "\(context): the body's conflict is not reported")
            }
        }
    }
}
