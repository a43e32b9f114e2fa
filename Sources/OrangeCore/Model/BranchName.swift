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
        // One pass over the bytes: `String.contains` and `split` cost more than the rest of
        // reading a TASK.md, and every task's branch is checked on every read.
        var hasDoubleDot = false, hasDoubleSlash = false, hasAtBrace = false
        var badCharacter: String?
        var badComponent: String?
        var previous: UInt8 = 0
        var componentStart = true
        var tail: [UInt8] = []  // the last five bytes of the current component, for `.lock`
        func endComponent() {
            if badComponent == nil && tail.count >= 5 && tail.suffix(5).elementsEqual(".lock".utf8) {
                badComponent = "branch '\(name)': a path component must not end with '.lock'"
            }
            tail.removeAll(keepingCapacity: true)
            componentStart = true
        }
        for byte in name.utf8 {
            if previous == UInt8(ascii: ".") && byte == UInt8(ascii: ".") { hasDoubleDot = true }
            if previous == UInt8(ascii: "/") && byte == UInt8(ascii: "/") { hasDoubleSlash = true }
            if previous == UInt8(ascii: "@") && byte == UInt8(ascii: "{") { hasAtBrace = true }
            if badCharacter == nil {
                if byte < 0x20 || byte == 0x7F {
                    badCharacter = "branch name must not contain control characters"
                } else if Self.forbidden.contains(byte) {
                    badCharacter = "branch '\(name)' must not contain spaces or any of ~ ^ : ? * [ \\"
                }
            }
            if byte == UInt8(ascii: "/") {
                endComponent()
            } else {
                if componentStart && byte == UInt8(ascii: ".") && badComponent == nil {
                    badComponent = "branch '\(name)': a path component must not start with '.'"
                }
                componentStart = false
                tail.append(byte)
                if tail.count > 5 { tail.removeFirst() }
            }
            previous = byte
        }
        endComponent()
        if hasDoubleDot { return "branch '\(name)' must not contain '..'" }
        if hasDoubleSlash { return "branch '\(name)' must not contain '//'" }
        if hasAtBrace { return "branch '\(name)' must not contain '@{'" }
        if let badCharacter { return badCharacter }
        if let badComponent { return badComponent }
        return nil
    }

    /// Bytes git refuses in a ref name besides controls: space ~ ^ : ? * [ and backslash.
    private static let forbidden: Set<UInt8> = Set(" ~^:?*[\\".utf8)
}
