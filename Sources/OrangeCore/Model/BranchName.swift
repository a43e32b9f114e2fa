/// Checks a git branch name against git's ref-name rules (git-check-ref-format), plus orange's
/// own: no leading `-`, so a branch can never be taken for an option on a command line.
public enum BranchName {
    /// Why `name` is not an acceptable branch name, or nil when it is.
    public static func problem(with name: String) -> String? {
        if name.isEmpty { return "branch name is empty" }
        if name.utf8.count > 200 { return "branch name is longer than 200 characters" }
        if name.hasPrefix("-") { return "branch '\(name)' must not start with '-'" }
        if name == "@" { return "branch '@' is not allowed" }
        if name.hasPrefix("/") || name.hasSuffix("/") { return "branch '\(name)' must not start or end with '/'" }
        if name.hasSuffix(".") { return "branch '\(name)' must not end with '.'" }
        if name.contains("..") { return "branch '\(name)' must not contain '..'" }
        if name.contains("//") { return "branch '\(name)' must not contain '//'" }
        if name.contains("@{") { return "branch '\(name)' must not contain '@{'" }
        for scalar in name.unicodeScalars {
            if scalar.value < 0x20 || scalar.value == 0x7F {
                return "branch name must not contain control characters"
            }
            if " ~^:?*[\\".unicodeScalars.contains(scalar) {
                return "branch '\(name)' must not contain spaces or any of ~ ^ : ? * [ \\"
            }
        }
        for component in name.split(separator: "/", omittingEmptySubsequences: false) {
            if component.hasPrefix(".") { return "branch '\(name)': a path component must not start with '.'" }
            if component.hasSuffix(".lock") { return "branch '\(name)': a path component must not end with '.lock'" }
        }
        return nil
    }
}
