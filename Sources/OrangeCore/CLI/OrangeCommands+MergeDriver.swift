/// git's merge driver for TASK.md, run by git (registered by `TaskMergeDriver.register`), not
/// by people: docs/task-merge.md.
extension OrangeCommands {
    static let syncMergeDriver = CommandSpec(
        ["sync", "merge-driver"], summary: "Merge two machines' edits of one TASK.md field by field (git runs it; see docs/task-merge.md).",
        positionals: [
            PositionalSpec("base", help: "The common ancestor's file (git's %O)."),
            PositionalSpec("current", help: "Our file (git's %A); the result is written here."),
            PositionalSpec("other", help: "Their file (git's %B)."),
            PositionalSpec("path", .optional, help: "The file's path in the repository (git's %P), for messages."),
        ],
        discussion:
            "Registered for TASK.md in .gitattributes (merge=orange-task) of a repository that shares tasks between machines.\nA key changed on one side takes that side's value; blocked_by, children and reassessed merge as sets; a status\nchanged on both sides follows the transition table; the body goes through git's text merge. What cannot be merged\nkeeps both sides, adds the field to the task's merge_conflict key, and exits 1 so that git reports a conflict.\nA side orange cannot read is merged as text by git, with conflict markers, and exits 1.",
        examples: ["orange sync merge-driver %O %A %B %P"])
}
