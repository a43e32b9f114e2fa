/// What to do with a workspace's TASK.md that is no longer the symlink to its task: an editor or
/// agent saved through the link by rename (`sed -i`, `os.replace`, `cp --remove-destination`),
/// which put a plain file in the link's place and left the task itself untouched.
public enum DetachedTaskFileDecision: Hashable, Sendable {
    /// The file says exactly what the task says: only the link needs putting back.
    case unchanged
    /// A valid edit: this record becomes the task's TASK.md, then the link is put back.
    case apply(TaskRecord)
    /// Not applicable: the file is kept aside next to the task, reported with the line and
    /// reason, and the link put back.
    case keepAside(line: Int?, reason: String)
}

/// The rule for a detached workspace TASK.md. It is judged as the hand edit it is: the same
/// decoder as every read of a TASK.md (UTF-8, front matter, every known key, `id` and `project`
/// equal to the task's), and a status change is allowed when a person editing the file may make
/// it (hand edits are trusted as a person's, docs/decisions.md), by the one transition table.
///
/// One more check is specific to a copy: it was the task's file when it was detached, so an
/// `updated_at` older than the task's means orange wrote the task since, and writing the copy
/// back would silently undo that write (a merge, a cancel, a status the agent reported).
public enum DetachedTaskFile {
    public static func decide(_ bytes: [UInt8], current: TaskRecord) -> DetachedTaskFileDecision {
        let decoded: (task: TaskRecord, document: FrontmatterDocument)
        switch TaskFileDecoder.decodeDocument(bytes, folderID: current.id, folderProject: current.project) {
        case .failure(let problem): return .keepAside(line: problem.line, reason: problem.reason)
        case .success(let result): decoded = result
        }
        let edited = decoded.task
        if edited == current { return .unchanged }
        if let copied = edited.updatedAt, let latest = current.updatedAt, copied < latest {
            return .keepAside(
                line: decoded.document.entry("updated_at")?.line,
                reason: "the task was changed since this copy was made (updated_at \(copied) is older than the task's \(latest)); "
                    + "applying it would undo that change")
        }
        do throws(TransitionError) {
            try TransitionTable.check(current.id, from: current.status, to: edited.status, by: .human)
        } catch {
            return .keepAside(line: decoded.document.entry("status")?.line, reason: error.description)
        }
        return .apply(edited)
    }

    /// The name a copy that could not be applied gets in its task's folder.
    public static func keptAsideName(atMilliseconds milliseconds: Int64) -> String {
        "TASK.md.rejected-\(milliseconds)"
    }

    /// Whether `name` is a copy kept aside by `keptAsideName` (or by the release of an older
    /// orange, `TASK.md.from-workspace`): `orange doctor` expects these in a task folder.
    public static func isKeptAsideName(_ name: String) -> Bool {
        if name == "TASK.md.from-workspace" { return true }
        let prefix = "TASK.md.rejected-"
        guard name.hasPrefix(prefix) else { return false }
        let digits = name.dropFirst(prefix.count)
        return !digits.isEmpty && digits.allSatisfy { $0.isASCII && $0.isNumber }
    }
}
