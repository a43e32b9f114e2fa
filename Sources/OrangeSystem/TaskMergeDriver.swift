import OrangeCore

/// git's merge driver for TASK.md (`orange sync merge-driver %O %A %B %P`) and its
/// registration in a repository that shares a tasks folder between machines.
///
/// The front matter is merged by `TaskFileMerge` (OrangeCore); the body's lines by git's own
/// `git merge-file`. Whatever cannot be merged is kept from both sides in the file written to
/// %A, and the driver then exits non-zero so that git reports the conflict (docs/task-merge.md).
public enum TaskMergeDriver {
    /// The driver's name in `.gitattributes` and `merge.<name>.driver`.
    public static let name = "orange-task"
    /// The lines `register` makes sure `.gitattributes` holds: TASK.md through this driver, and
    /// history files, which machines only ever append to, as the union of both sides' lines.
    public static let attributeLines = ["TASK.md merge=\(name)", "history.jsonl merge=union"]

    /// What one run of the driver did.
    public struct Report: Sendable, Equatable {
        /// The file's path in the repository (%P), for messages.
        public var path: String
        /// The fields (and `body`) kept with both sides; the task is marked `merge_conflict`.
        public var conflicts: [String]
        /// Set when a side was not a task orange can read: the whole files were then merged by
        /// git as text, with conflict markers where they differ.
        public var textMergeReason: String?

        public var clean: Bool { conflicts.isEmpty && textMergeReason == nil }
    }

    /// Makes `repository` merge TASK.md with this driver: adds `attributeLines` to its
    /// `.gitattributes` (kept as it is when they are there) and sets `merge.orange-task.name` and
    /// `.driver` in its own config, the driver run as `orangeExecutable` (a real path: git runs
    /// it through the shell, so it is quoted). Returns whether `.gitattributes` changed, for the
    /// caller to commit it. Safe to call again, e.g. after the executable moved.
    @discardableResult
    public static func register(inRepository repository: String, orangeExecutable: String, runner: any ProcessRunning = ProcessRunner())
        throws -> Bool
    {
        let attributesPath = repository + "/.gitattributes"
        let existing = FileSystem.fileExists(attributesPath) ? try FileSystem.readText(attributesPath) : ""
        let present = Set(existing.split(whereSeparator: \.isNewline).map { String($0).trimmingSpaces() })
        let missing = attributeLines.filter { !present.contains($0) }
        if !missing.isEmpty {
            var text = existing
            if !text.isEmpty && !text.hasSuffix("\n") { text += "\n" }
            text += missing.map { $0 + "\n" }.joined()
            try AtomicFile.write(text, to: attributesPath, mode: 0o644)
        }
        let git = ["git", "-C", repository, "config"]
        let environment = GitEnvironment.variables()
        try runner.check(git + ["merge.\(name).name", "orange: TASK.md merged field by field"], environment: environment)
        try runner.check(git + ["merge.\(name).driver", driverCommand(orangeExecutable)], environment: environment)
        return !missing.isEmpty
    }

    /// The shell command git runs: the executable single-quoted (any byte but NUL is safe
    /// inside), git's placeholders after it (git quotes the %P it fills in).
    public static func driverCommand(_ orangeExecutable: String) -> String {
        "'" + orangeExecutable.replacing("'", with: "'\\''") + "' sync merge-driver %O %A %B %P"
    }

    /// One merge as git asks for it: `base` (%O), `current` (%A, ours, also where the result
    /// goes, replaced atomically), `other` (%B, theirs); `path` (%P) only names the file.
    public static func run(base: String, current: String, other: String, path: String, runner: any ProcessRunning = ProcessRunner())
        throws -> Report
    {
        let input = TaskFileMerge.Input(
            base: try FileSystem.readBytes(base), ours: try FileSystem.readBytes(current), theirs: try FileSystem.readBytes(other))
        let outcome = try TaskFileMerge.merge(input) { base, ours, theirs in
            let merged = try mergeFiles(base: Array(base.utf8), ours: Array(ours.utf8), theirs: Array(theirs.utf8), runner: runner)
            return TaskFileMerge.TextMerge(text: String(decoding: merged.bytes, as: UTF8.self), clean: merged.clean)
        }
        switch outcome {
        case .merged(let text, let conflicts):
            let bytes = Array(text.utf8)
            if bytes != input.ours { try AtomicFile.write(bytes, to: current) }
            return Report(path: path, conflicts: conflicts, textMergeReason: nil)
        case .unreadable(let side, let reason):
            // Never a file that drops a side: git's text merge keeps both where they differ.
            let merged = try mergeFiles(base: input.base, ours: input.ours, theirs: input.theirs, runner: runner)
            if merged.bytes != input.ours { try AtomicFile.write(merged.bytes, to: current) }
            return Report(path: path, conflicts: [], textMergeReason: "\(side) \(reason)")
        }
    }

    /// `git merge-file` of three byte strings: the merged bytes (conflict markers where the
    /// sides differ) and whether it was clean. The three files live in a private temporary
    /// folder, never in the tasks tree the engine watches.
    static func mergeFiles(base: [UInt8], ours: [UInt8], theirs: [UInt8], runner: any ProcessRunning) throws -> (
        bytes: [UInt8], clean: Bool
    ) {
        let temporaryRoot = ProcessEnvironment.current()["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        let folder = try FileSystem.makeTemporaryDirectory(prefix: temporaryRoot + "/orange-merge-")
        defer { try? FileSystem.removeTree(folder) }
        let (o, b, t) = (folder + "/ours", folder + "/base", folder + "/theirs")
        try AtomicFile.write(ours, to: o)
        try AtomicFile.write(base, to: b)
        try AtomicFile.write(theirs, to: t)
        let result = try runner.run(
            ["git", "merge-file", "-L", "ours", "-L", "base", "-L", "theirs", o, b, t], environment: GitEnvironment.variables(), input: nil,
            timeoutSeconds: 60)
        // 0: clean; 1 to 127: the number of conflicts; anything else: git could not merge.
        guard !result.timedOut, (0...127).contains(result.exitCode) else { throw ProcessError.failed(result) }
        return (try FileSystem.readBytes(o), result.exitCode == 0)
    }
}
