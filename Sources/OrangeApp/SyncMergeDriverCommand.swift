import OrangeCore
import OrangeSystem

extension Commands {
    /// `orange sync merge-driver %O %A %B %P`, as git runs it: the merged file goes to %A;
    /// exit 0 when clean, 1 when something was kept from both sides (git then reports a
    /// conflict, and the file holds both).
    func syncMergeDriver() throws -> CommandResult {
        let current = invocation.positional(1)!
        let path = invocation.positional(3) ?? current
        let report = try TaskMergeDriver.run(
            base: invocation.positional(0)!, current: current, other: invocation.positional(2)!, path: path,
            runner: context.processes.runner)
        var text = ""
        if let reason = report.textMergeReason {
            text = "orange: \(path): not merged field by field (\(reason)); git's text merge kept both sides with conflict markers\n"
        } else if !report.conflicts.isEmpty {
            text =
                "orange: \(path): \(report.conflicts.joined(separator: ", ")) changed differently on both sides;"
                + " the file keeps both and is marked \(TaskFileMerge.conflictKey)\n"
        }
        return CommandResult(
            text: text,
            json: .object([
                ("path", .string(path)), ("clean", .bool(report.clean)), ("conflicts", .array(report.conflicts.map { .string($0) })),
                ("text_merge", report.textMergeReason.map { .string($0) } ?? .null),
            ]),
            exitCode: report.clean ? 0 : 1)
    }
}
