import OrangeCore
import Testing

/// The rule for a workspace TASK.md that a save by rename turned from the link into a plain file.
@Suite struct DetachedTaskFileTests {
    static let updated = "2026-02-01T05:00:00.000Z"

    /// The task as orange last wrote it.
    func task(_ status: TaskStatus = .working, updated: String = Self.updated) -> TaskRecord {
        var record = TaskRecord(
            id: TaskID(validating: "W1")!, project: ProjectName(validating: "coffee")!, branch: "orange-tasks/W1", status: status,
            description: "schema", createdAt: Timestamp(rfc3339: "2026-02-01T04:48:33.123Z"))
        record.updatedAt = Timestamp(rfc3339: updated)
        record.workspace = "coffee--1"
        record.body = "Notes.\n"
        return record
    }

    /// The file `current` renders to, with `edit` applied to its text (what `sed -i` does).
    func copy(of current: TaskRecord, _ edit: (String) -> String = { $0 }) -> [UInt8] {
        Array(edit(current.rendered()).utf8)
    }

    @Test func anUnchangedCopyOnlyNeedsTheLinkBack() {
        let current = task()
        #expect(DetachedTaskFile.decide(copy(of: current), current: current) == .unchanged)
    }

    @Test func aStatusTheAgentMayReportIsApplied() {
        let current = task()
        let bytes = copy(of: current) { $0.replacingOccurrences("status: working", "status: reviewing") }
        guard case .apply(let edited) = DetachedTaskFile.decide(bytes, current: current) else {
            Issue.record("expected the edit to be applied")
            return
        }
        #expect(edited.status == .reviewing && edited.body == "Notes.\n" && edited.updatedAt == current.updatedAt)
    }

    @Test func unknownKeysAndTheBodyAreAppliedAsGiven() {
        let current = task()
        let bytes = copy(of: current) { $0.replacingOccurrences("---\nNotes.\n", "agent_note: keep me\n---\nNotes.\nMore notes.\n") }
        guard case .apply(let edited) = DetachedTaskFile.decide(bytes, current: current) else {
            Issue.record("expected the edit to be applied")
            return
        }
        #expect(edited.extra.map(\.key) == ["agent_note"] && edited.body == "Notes.\nMore notes.\n")
    }

    @Test func aFileThatDoesNotParseIsKeptAsideWithItsLine() {
        let current = task()
        let bytes = copy(of: current) { $0.replacingOccurrences("status: working", "status: [oops") }
        guard case .keepAside(let line, let reason) = DetachedTaskFile.decide(bytes, current: current) else {
            Issue.record("expected the copy to be kept aside")
            return
        }
        #expect(line == 6 && !reason.isEmpty)
    }

    @Test func anUnknownStatusIsKeptAside() {
        let current = task()
        let bytes = copy(of: current) { $0.replacingOccurrences("status: working", "status: finished") }
        guard case .keepAside(let line, _) = DetachedTaskFile.decide(bytes, current: current) else {
            Issue.record("expected the copy to be kept aside")
            return
        }
        #expect(line == 6)
    }

    @Test func anotherTasksIdOrProjectIsKeptAside() {
        let current = task()
        for edit in [("id: W1", "id: W2"), ("project: coffee", "project: tea")] {
            let bytes = copy(of: current) { $0.replacingOccurrences(edit.0, edit.1) }
            guard case .keepAside(let line, let reason) = DetachedTaskFile.decide(bytes, current: current) else {
                Issue.record("expected \(edit.1) to be kept aside")
                continue
            }
            #expect(line != nil && reason.contains("does not match"))
        }
    }

    @Test func aChangeNoPersonMayMakeIsKeptAside() {
        // A done task is final; delegated → done is the engine's alone.
        for (from, to) in [(TaskStatus.done, TaskStatus.working), (.delegated, .done)] {
            let current = task(from)
            let bytes = copy(of: current) { $0.replacingOccurrences("status: \(from.rawValue)", "status: \(to.rawValue)") }
            guard case .keepAside(let line, let reason) = DetachedTaskFile.decide(bytes, current: current) else {
                Issue.record("expected \(from) → \(to) to be kept aside")
                continue
            }
            #expect(line == 6 && reason.hasPrefix("cannot change W1 from \(from.rawValue) to \(to.rawValue)"))
        }
    }

    @Test func aCopyOlderThanTheTaskIsKeptAsideRatherThanUndoAWrite() {
        // The copy was made, then orange wrote the task (merged it): applying would undo that.
        let then = task(.reviewed, updated: "2026-02-01T05:00:00.000Z")
        let now = task(.done, updated: "2026-02-01T06:00:00.000Z")
        let bytes = copy(of: then) { $0.replacingOccurrences("Notes.", "Edited notes.") }
        guard case .keepAside(let line, let reason) = DetachedTaskFile.decide(bytes, current: now) else {
            Issue.record("expected the stale copy to be kept aside")
            return
        }
        #expect(line != nil && reason.contains("changed since this copy was made"))
    }

    @Test func keptAsideNamesAreRecognised() {
        #expect(DetachedTaskFile.keptAsideName(atMilliseconds: 1234) == "TASK.md.rejected-1234")
        #expect(DetachedTaskFile.isKeptAsideName("TASK.md.rejected-1234"))
        #expect(DetachedTaskFile.isKeptAsideName("TASK.md.from-workspace"))
        #expect(!DetachedTaskFile.isKeptAsideName("TASK.md.rejected-"))
        #expect(!DetachedTaskFile.isKeptAsideName("TASK.md.rejected-12x"))
    }
}

extension String {
    fileprivate func replacingOccurrences(_ target: String, _ replacement: String) -> String {
        guard let range = firstRange(of: target) else { return self }
        var edited = self
        edited.replaceSubrange(range, with: replacement)
        return edited
    }
}
