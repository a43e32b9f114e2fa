/// A three-way merge of one TASK.md, field by field: what git's merge driver for TASK.md runs
/// when two machines changed the same task (docs/task-format.md's front matter, docs/task-merge.md
/// for the rules).
///
/// Pure: the body's line merge is handed in (`mergeText`, git's own `git merge-file` in the
/// driver), so every rule here is tested without git.
public enum TaskFileMerge {
    /// The front matter key that marks a task whose merge left something for a person: a list
    /// of the fields (and `body`) two machines changed in ways that could not be merged.
    public static let conflictKey = "merge_conflict"
    /// The name `conflictKey` uses for the Markdown body.
    public static let bodyField = "body"
    /// The heading of the section that keeps the other side's value of each conflicting field.
    public static let sectionHeading = "## Merge conflict (orange)"

    /// The three versions git hands a merge driver, as bytes; `base` is empty when the file was
    /// added on both sides.
    public struct Input: Sendable {
        public var base: [UInt8]
        public var ours: [UInt8]
        public var theirs: [UInt8]

        public init(base: [UInt8], ours: [UInt8], theirs: [UInt8]) {
            self.base = base
            self.ours = ours
            self.theirs = theirs
        }
    }

    /// What a line merge of the body gave: the text (with git's conflict markers when not clean).
    public struct TextMerge: Sendable, Equatable {
        public var text: String
        public var clean: Bool

        public init(text: String, clean: Bool) {
            self.text = text
            self.clean = clean
        }
    }

    public enum Outcome: Sendable, Equatable {
        /// The merged file; `conflicts` lists the fields kept with both sides (empty: clean).
        case merged(text: String, conflicts: [String])
        /// A side (`base`, `ours`, `theirs`) or the merged result is not a task orange can
        /// read: the caller falls back to a text merge of the whole files and reports a conflict.
        case unreadable(side: String, reason: String)
    }

    /// Merges `input`. `mergeText(base, ours, theirs)` is asked only when both sides changed
    /// the body differently.
    public static func merge(_ input: Input, mergeText: (String, String, String) throws -> TextMerge) rethrows -> Outcome {
        let ours: Side
        let theirs: Side
        switch (Side.read(input.ours), Side.read(input.theirs)) {
        case (.failure(let problem), _): return .unreadable(side: "ours", reason: problem.description)
        case (_, .failure(let problem)): return .unreadable(side: "theirs", reason: problem.description)
        case (.success(let o), .success(let t)):
            ours = o
            theirs = t
        }
        // A file added on both sides has no base; an unreadable base is read the same way: every
        // difference between the sides then counts as a change on both.
        let base = input.base.isEmpty ? nil : try? Side.read(input.base).get()

        var fields = FieldMerge(base: base?.document.entries ?? [], ours: ours.document.entries, theirs: theirs.document.entries)
        fields.mergeEveryKey()

        var conflicts = fields.conflicts
        var body: String
        let (b, o, t) = (base?.document.body ?? "", ours.document.body, theirs.document.body)
        if o == t || t == b {
            body = o
        } else if o == b {
            body = t
        } else {
            let merged = try mergeText(b, o, t)
            body = merged.text
            if !merged.clean { conflicts.append(Conflict(field: bodyField, kept: nil, other: nil)) }
        }

        var entries = fields.entries
        if !conflicts.isEmpty {
            markConflicts(conflicts.map(\.field), in: &entries)
            body = ConflictSection.append(conflicts.filter { $0.field != bodyField }, to: body)
        }
        let merged = FrontmatterDocument(entries: entries, body: body)
        // Nothing to change on our side: keep our bytes (comments, spelling) exactly.
        if merged.body == ours.document.body && sameEntries(merged.entries, ours.document.entries) {
            return .merged(text: ours.text, conflicts: [])
        }
        let text = FrontmatterCodec.render(merged)
        do throws(FrontmatterError) {
            _ = try TaskRecord.parse(text)
        } catch {
            return .unreadable(side: "merged", reason: error.description)
        }
        return .merged(text: text, conflicts: conflicts.map(\.field))
    }

    /// The fields a task's `merge_conflict` key names; nil when it has none or an empty one (no
    /// merge left anything for a person, or a person cleared the list).
    public static func conflictFields(of task: TaskRecord) -> [String]? { conflictFields(in: task.extra) }

    /// The same, of the engine's compact record (no whole record built per change).
    public static func conflictFields(of task: CompactTaskRecord) -> [String]? { conflictFields(in: task.extra) }

    static func conflictFields(in extra: [FrontmatterEntry]) -> [String]? {
        guard let entry = extra.first(where: { $0.key == conflictKey }) else { return nil }
        let fields = SetMerge.items(entry.value).filter { !$0.isEmpty }
        return fields.isEmpty ? nil : fields
    }

    /// A one-line report of a flagged task, for `task show` and `orange doctor`.
    public static func conflictReport(_ fields: [String]) -> String {
        var places: [String] = []
        if fields.contains(where: { $0 != bodyField }) { places.append("the other values under '\(sectionHeading)'") }
        if fields.contains(bodyField) { places.append("git's conflict markers in the body") }
        return "merge conflict: two machines changed \(fields.joined(separator: ", ")) differently and the file keeps both sides ("
            + places.joined(separator: "; ") + "): settle them, then remove the '\(conflictKey)' key"
    }

    /// Adds `fields` to the `merge_conflict` list (kept from an earlier merge, or new at the end).
    static func markConflicts(_ fields: [String], in entries: inout [FrontmatterEntry]) {
        if let index = entries.firstIndex(where: { $0.key == conflictKey }) {
            var items = SetMerge.items(entries[index].value)
            for field in fields where !items.contains(field) { items.append(field) }
            entries[index].value = .list(items.map(YAMLValue.string))
        } else {
            entries.append(FrontmatterEntry(key: conflictKey, value: .list(fields.map(YAMLValue.string))))
        }
    }

    static func sameEntries(_ a: [FrontmatterEntry], _ b: [FrontmatterEntry]) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { $0.key == $1.key && $0.value.sameText(as: $1.value) }
    }

    /// One side as read: its text and its front matter, checked to be a task orange can read.
    struct Side {
        var text: String
        var document: FrontmatterDocument

        static func read(_ bytes: [UInt8]) -> Result<Side, FrontmatterError> {
            guard let text = String(validating: bytes, as: UTF8.self) else {
                let offset = TaskFileDecoder.firstInvalidUTF8Offset(bytes)
                return .failure(FrontmatterError(line: 1, reason: "is not valid UTF-8 (byte \(offset))"))
            }
            do throws(FrontmatterError) {
                let document = try FrontmatterCodec.parse(text)
                _ = try TaskRecord(document: document)
                return .success(Side(text: text, document: document))
            } catch {
                return .failure(error)
            }
        }
    }
}

/// A field two sides changed in ways no rule merges: the value the file keeps and the other
/// side's (nil: the key was absent on that side). The body's conflict is in the body itself.
struct TaskFileMergeConflict: Equatable {
    var field: String
    var kept: YAMLValue?
    var other: YAMLValue?
}

extension TaskFileMerge {
    typealias Conflict = TaskFileMergeConflict
}

/// The section added to the body of a task whose front matter had conflicts: the other side's
/// value of each field, so that nothing either machine wrote is lost.
enum ConflictSection {
    static func append(_ conflicts: [TaskFileMergeConflict], to body: String) -> String {
        guard !conflicts.isEmpty else { return body }
        var out = body
        if !out.isEmpty && !out.hasSuffix("\n") { out += "\n" }
        if !out.isEmpty { out += "\n" }
        out += TaskFileMerge.sectionHeading + "\n\n"
        out += "Two machines changed these fields at the same time. The front matter keeps the first value;\n"
        out += "the other machine's is kept here. Settle each one, then remove this section and the\n"
        out += "`\(TaskFileMerge.conflictKey)` key.\n\n"
        for conflict in conflicts {
            out += "- \(conflict.field): kept \(shown(conflict.kept)); the other side had \(shown(conflict.other))\n"
        }
        return out
    }

    /// A value on one line: text in double quotes (escapes for line breaks and controls), a
    /// list as a flow list.
    static func shown(_ value: YAMLValue?) -> String {
        switch value {
        case nil: return "no such key"
        case .null?: return "null"
        case .string(let text)?, .plain(let text)?: return YAMLScalarWriter.doubleQuoted(text)
        case .list(let items)?: return YAMLScalarWriter.flowList(items)
        }
    }
}
