import OrangeCore

/// How orange runs git: never prompting (a hidden prompt would hang a command or the engine),
/// with untranslated messages so they can be matched.
public enum GitEnvironment {
    public static func variables(inheriting current: [String: String] = ProcessEnvironment.current()) -> [String: String] {
        var result = ["GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"]
        if current["GIT_SSH_COMMAND"] == nil { result["GIT_SSH_COMMAND"] = "ssh -oBatchMode=yes" }
        return result
    }
}
