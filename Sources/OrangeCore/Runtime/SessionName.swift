/// tmux session names for tasks: `<project>/<branch>`, made safe for tmux.
///
/// tmux silently rewrites `.` and `:` in session names (so `has-session -t proj/v1.2` fails
/// to find the session it just created) and `:` also separates targets; those, and anything
/// outside a conservative set, become `_`. Lookups then use the same name with an exact-match
/// target (`=name`), so one session name can never match another by prefix.
public enum SessionName {
    public static func forTask(project: ProjectName, branch: String) -> String {
        var safe = ""
        for scalar in branch.unicodeScalars {
            let c = Character(scalar)
            let allowed = (c.isASCII && (c.isLetter || c.isNumber)) || c == "-" || c == "_" || c == "/"
            safe.append(allowed ? c : "_")
        }
        return "\(project.rawValue)/\(safe)"
    }
}
