/// A project name: `[A-Za-z0-9._-]`, 1 to 64 characters, not `.` or `..`, no `--`, not starting with `-` or `.`.
///
/// The name is a folder under `tasks/`, the prefix of workspace names `<project>--<n>` (hence no
/// `--`) and of tmux session names, so it is validated before any of those are built.
public struct ProjectName: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let rawValue: String

    public init?(validating text: String) {
        guard Self.problem(with: text) == nil else { return nil }
        rawValue = text
    }

    /// Why `text` is not a valid project name, or nil when it is.
    public static func problem(with text: String) -> String? {
        if text.isEmpty { return "project name is empty" }
        if text.utf8.count > 64 { return "project name is longer than 64 characters" }
        let allowed = text.utf8.allSatisfy {
            ($0 >= 48 && $0 <= 57) || ($0 >= 65 && $0 <= 90) || ($0 >= 97 && $0 <= 122) || $0 == 46 || $0 == 95 || $0 == 45
        }
        if !allowed { return "project name '\(text)' may only contain letters, digits, '.', '_' and '-'" }
        if text.hasPrefix("-") || text.hasPrefix(".") { return "project name '\(text)' must not start with '-' or '.'" }
        // Not `String.contains(_:)`: its generic search showed when reading thousands of files.
        if zip(text.utf8, text.utf8.dropFirst()).contains(where: { $0 == 45 && $1 == 45 }) {
            return "project name '\(text)' must not contain '--' (it separates workspace numbers)"
        }
        return nil
    }

    public var description: String { rawValue }
    public static func < (a: ProjectName, b: ProjectName) -> Bool { a.rawValue < b.rawValue }
}
