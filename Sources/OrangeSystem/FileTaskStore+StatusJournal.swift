import Glibc
import OrangeCore

/// A status change and its history line, as one step: TASK.md and `history.jsonl` are two files,
/// and a process killed between the two writes used to leave a status with no line.
///
/// Under the task's lock, the line is first written to a journal (`<task>/.status-journal`, with
/// the status it records), then TASK.md is renamed into place, then the line is appended, then
/// the journal is removed. Whoever next holds the lock and finds a journal knows its writer died
/// (the lock is held through all four steps): if TASK.md holds the journal's status and the
/// history does not end with its line, the line is appended; the journal is removed either way.
extension FileTaskStore {
    static let journalName = ".status-journal"

    func journalPath(_ id: TaskID, in project: ProjectName) -> String {
        layout.taskDirectory(id, in: project) + "/" + Self.journalName
    }

    /// Writes `task` with its status line; false when `onlyIf` said the file changed meanwhile
    /// (nothing written, the journal removed). The caller holds the task's lock.
    func writeRecordingStatus(_ task: TaskRecord, line: HistoryEvent, to path: String, onlyIf unchanged: (() -> Bool)?) throws -> Bool {
        let journal = journalPath(task.id, in: task.project)
        let header = JSONValue.object([("status", .string(task.status.rawValue))]).rendered()
        let event = line.json.rendered()
        // Torn by a crash, it has no second line and is dropped; TASK.md was not touched yet.
        try AtomicFile.overwrite(header + "\n" + event + "\n", to: journal, mode: mode_t(DataDirectory.fileMode))
        let written: Bool
        do {
            written = try AtomicFile.write(bytesToWrite(task), to: path, onlyIf: unchanged)
        } catch {
            try? FileSystem.removeTree(journal)
            throw error
        }
        guard written else {
            try FileSystem.removeTree(journal)
            return false
        }
        StoreCrashPoint.reach("store.status-written")
        try AtomicFile.appendLine(
            event, to: layout.historyFile(task.id, in: task.project), mode: mode_t(DataDirectory.fileMode), sync: true)
        StoreCrashPoint.reach("store.status-recorded")
        try FileSystem.removeTree(journal)
        return true
    }

    /// Finishes what a dead writer left in the journal. The caller holds the task's lock.
    @discardableResult
    func finishInterruptedWrite(_ id: TaskID, in project: ProjectName) throws -> Bool {
        let journal = journalPath(id, in: project)
        guard FileSystem.status(journal) != nil else { return false }
        let lines = ((try? FileSystem.readText(journal)) ?? "").split(separator: "\n").map(String.init)
        if lines.count == 2, let status = (try? JSONValue.parse(lines[0]))?["status"]?.stringValue,
            let current = try? load(id, in: project), current.status.rawValue == status
        {
            let history = layout.historyFile(id, in: project)
            let last = ((try? FileSystem.readText(history)) ?? "").split(separator: "\n").last.map(String.init)
            if last != lines[1] {
                try AtomicFile.appendLine(lines[1], to: history, mode: mode_t(DataDirectory.fileMode), sync: true)
            }
        }
        try FileSystem.removeTree(journal)
        return true
    }

    public func taskFileIsNewerThanHistory(_ id: TaskID, in project: ProjectName) -> Bool {
        Self.taskFile(FileSystem.status(layout.taskFile(id, in: project))) {
            FileSystem.status(layout.historyFile(id, in: project))
        }
    }

    /// Whether a TASK.md with status `file` is newer than its history (`history` asked only
    /// when there is a TASK.md): no TASK.md is not newer, no history is.
    static func taskFile(_ file: FileStatus?, isNewerThan history: () -> FileStatus?) -> Bool {
        guard let file else { return false }
        guard let history = history() else { return true }
        return file.modifiedNanoseconds > history.modifiedNanoseconds
    }

    public func recordStatusChangedOutside(_ id: TaskID, in project: ProjectName, note: StatusChangeNote) throws -> Bool {
        try withTaskLock(id, in: project) {
            // Orange's own writes hold this lock until their line is written, so a difference
            // found here was made outside orange.
            try finishInterruptedWrite(id, in: project)
            let current = try load(id, in: project)
            let recorded = try history(of: id, in: project).lastRecordedStatus
            guard recorded != current.status else { return false }
            try AtomicFile.appendLine(
                note.event(from: recorded, to: current.status).json.rendered(), to: layout.historyFile(id, in: project),
                mode: mode_t(DataDirectory.fileMode), sync: true)
            return true
        }
    }

    public func recoverInterruptedWrite(_ id: TaskID, in project: ProjectName) throws -> Bool {
        guard FileSystem.status(journalPath(id, in: project)) != nil else { return false }
        return try withTaskLock(id, in: project) { try finishInterruptedWrite(id, in: project) }
    }
}

/// The store's crash points for the crash tests (`ORANGE_CRASH_AT`, see `ProcessControl`).
enum StoreCrashPoint {
    static let environment = ProcessEnvironment.current()

    static func reach(_ name: String) { ProcessControl.crashPoint(name, environment: environment) }
}
