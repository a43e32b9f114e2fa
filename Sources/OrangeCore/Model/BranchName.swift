/// Checks a git branch name against git's ref-name rules (git-check-ref-format), plus orange's
/// own: no leading `-`, so a branch can never be taken for an option on a command line.
public enum BranchName {
    /// Why `name` is not an acceptable branch name, or nil when it is.
    public static func problem(with name: String) -> String? {
        if name.isEmpty { return "branch name is empty" }
        if name.utf8.count > 200 { return "branch name is longer than 200 characters" }
        if name.hasPrefix("-") { return "branch '\(name)' must not start with '-'" }
        if name == "@" { return "branch '@' is not allowed" }
        // git refuses `HEAD` as a branch name (it would shadow the symbolic ref).
        if name == "HEAD" { return "branch 'HEAD' is not allowed (git refuses it)" }
        if name.hasPrefix("/") || name.hasSuffix("/") { return "branch '\(name)' must not start or end with '/'" }
        if name.hasSuffix(".") { return "branch '\(name)' must not end with '.'" }
        // On the bytes: `String.contains` and `split` on the string cost more than the rest of
        // reading a TASK.md, and every task's branch is checked on every read.
        let bytes = Array(name.utf8)
        let pairs = zip(bytes, bytes.dropFirst())
        let dot = UInt8(ascii: "."), slash = UInt8(ascii: "/")
        if pairs.contains(where: { $0 == dot && $1 == dot }) { return "branch '\(name)' must not contain '..'" }
        if pairs.contains(where: { $0 == slash && $1 == slash }) { return "branch '\(name)' must not contain '//'" }
        if pairs.contains(where: { $0 == UInt8(ascii: "@") && $1 == UInt8(ascii: "{") }) {
            return "branch '\(name)' must not contain '@{'"
        }
        if let bad = bytes.first(where: { $0 < 0x20 || $0 == 0x7F || Self.isForbidden($0) }) {
            return bad < 0x20 || bad == 0x7F
                ? "branch name must not contain control characters"
                : "branch '\(name)' must not contain spaces or any of ~ ^ : ? * [ \\"
        }
        // Beyond ASCII: C1 controls (U+0085…), format characters (direction marks and overrides,
        // zero-width ones) and line or paragraph separators, which make a name read as another.
        if bytes.contains(where: { $0 >= 0x80 }), name.unicodeScalars.contains(where: Self.isInvisibleOrControl) {
            return "branch name must not contain control or format characters"
        }
        for component in bytes.split(separator: slash, omittingEmptySubsequences: false) {
            if component.first == dot { return "branch '\(name)': a path component must not start with '.'" }
            if component.count >= 5 && component.suffix(5).elementsEqual(".lock".utf8) {
                return "branch '\(name)': a path component must not end with '.lock'"
            }
        }
        return nil
    }

    /// Unicode categories Cc (control), Cf (format), Zl and Zp (line and paragraph separators).
    public static func isInvisibleOrControl(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .control, .format, .lineSeparator, .paragraphSeparator: return true
        default: return false
        }
    }

    /// Bytes git refuses in a ref name besides controls: space ~ ^ : ? * [ and backslash. A switch,
    /// not a `Set<UInt8>`: every byte of every task's branch is looked at on each read, and a set
    /// hashes each one.
    private static func isForbidden(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: " "), UInt8(ascii: "~"), UInt8(ascii: "^"), UInt8(ascii: ":"), UInt8(ascii: "?"), UInt8(ascii: "*"),
            UInt8(ascii: "["), UInt8(ascii: "\\"):
            return true
        default:
            return false
        }
    }
}
