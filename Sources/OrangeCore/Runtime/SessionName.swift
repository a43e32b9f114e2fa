/// tmux session names for tasks: `<project>/<branch>+<id>`, made safe for tmux.
///
/// The task id makes the name the task's own: a branch used again by a later task, or two
/// branches that differ only in characters tmux cannot keep (`fix/v1.2`, `fix/v1_2`), never give
/// two tasks one session. tmux silently rewrites `.` and `:` in session names (so `has-session -t
/// proj/v1.2` fails to find the session it just created) and `:` also separates targets; those,
/// and anything outside a conservative set, become `_`. `+` appears in no safe branch and no id,
/// so the last `+` always separates them. Lookups use an exact-match target (`=name`), so one
/// session name can never match another by prefix.
public enum SessionName {
    public static func forTask(project: ProjectName, branch: String, id: TaskID) -> String {
        var safe = ""
        for scalar in branch.unicodeScalars {
            let c = Character(scalar)
            let allowed = (c.isASCII && (c.isLetter || c.isNumber)) || c == "-" || c == "_" || c == "/"
            safe.append(allowed ? c : "_")
        }
        return "\(project.rawValue)/\(safe)+\(id.rawValue)"
    }
}
