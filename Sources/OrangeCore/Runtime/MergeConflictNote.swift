/// The `## Merge conflict` section orange writes into a task's TASK.md when merging its branch
/// into its parent's branch conflicts: the files, and how to resolve it.
public enum MergeConflictNote {
    public static let heading = "## Merge conflict"

    public static func section(taskBranch: String, parentBranch: String, files: [String]) -> String {
        var text = "\(heading)\n\nMerging `\(taskBranch)` into its parent's branch `\(parentBranch)` on origin conflicted in:\n\n"
        for file in files { text += "- \(file)\n" }
        text += """

            Parent branch: \(parentBranch)

            Resolve it on this branch: `git fetch origin && git merge origin/\(parentBranch)`, fix the
            files above (keep both sides' intent), `git add` them and commit. Then run
            `orange task update --status reviewing`; once approved, `orange task merge` merges it again.

            """
        return text
    }

    /// The body with any earlier conflict section replaced by `section` (appended at the end).
    public static func replacingSection(in body: String, with section: String) -> String {
        var lines = body.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if let start = lines.firstIndex(of: heading) {
            let end = lines[(start + 1)...].firstIndex { $0.hasPrefix("## ") } ?? lines.endIndex
            lines.removeSubrange(start..<end)
        }
        var kept = lines.joined(separator: "\n")
        if !kept.isEmpty && !kept.hasSuffix("\n") { kept += "\n" }
        if !kept.isEmpty && !kept.hasSuffix("\n\n") { kept += "\n" }
        return kept + section
    }
}
