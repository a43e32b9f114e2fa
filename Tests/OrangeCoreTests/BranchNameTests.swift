import Testing

@testable import OrangeCore

/// git-check-ref-format's rules plus orange's leading-dash rule, each with its message, and
/// which message wins when a name breaks several rules.
struct BranchNameTests {
    @Test(arguments: ["main", "feature/login-fix", "fix/v1.2", "a.b/c.d", "ünïcode/名前", "x.lockfile", "a@b", "release/2026.12"])
    func acceptsGitBranchNames(_ name: String) {
        #expect(BranchName.problem(with: name) == nil)
    }

    @Test(arguments: [
        ("", "branch name is empty"),
        (String(repeating: "a", count: 201), "branch name is longer than 200 characters"),
        ("-rf", "branch '-rf' must not start with '-'"),
        ("@", "branch '@' is not allowed"),
        ("/a", "branch '/a' must not start or end with '/'"),
        ("a/", "branch 'a/' must not start or end with '/'"),
        ("a.", "branch 'a.' must not end with '.'"),
        ("a..b", "branch 'a..b' must not contain '..'"),
        ("a//b", "branch 'a//b' must not contain '//'"),
        ("a@{1}", "branch 'a@{1}' must not contain '@{'"),
        ("a\u{7}b", "branch name must not contain control characters"),
        ("a\u{7F}b", "branch name must not contain control characters"),
        ("HEAD", "branch 'HEAD' is not allowed (git refuses it)"),
        ("a\u{85}b", "branch name must not contain control or format characters"),
        ("a\u{9B}b", "branch name must not contain control or format characters"),
        ("a\u{200E}b", "branch name must not contain control or format characters"),
        ("a\u{202E}b", "branch name must not contain control or format characters"),
        ("a\u{200B}b", "branch name must not contain control or format characters"),
        ("a\u{FEFF}b", "branch name must not contain control or format characters"),
        ("a\u{2028}b", "branch name must not contain control or format characters"),
        ("a\u{2029}b", "branch name must not contain control or format characters"),
        ("two words", "branch 'two words' must not contain spaces or any of ~ ^ : ? * [ \\"),
        ("a~1", "branch 'a~1' must not contain spaces or any of ~ ^ : ? * [ \\"),
        ("a\\b", "branch 'a\\b' must not contain spaces or any of ~ ^ : ? * [ \\"),
        ("a^b", "branch 'a^b' must not contain spaces or any of ~ ^ : ? * [ \\"),
        ("a:b", "branch 'a:b' must not contain spaces or any of ~ ^ : ? * [ \\"),
        ("a?b", "branch 'a?b' must not contain spaces or any of ~ ^ : ? * [ \\"),
        ("a*b", "branch 'a*b' must not contain spaces or any of ~ ^ : ? * [ \\"),
        ("a[b", "branch 'a[b' must not contain spaces or any of ~ ^ : ? * [ \\"),
        (".hidden", "branch '.hidden': a path component must not start with '.'"),
        ("a/.b", "branch 'a/.b': a path component must not start with '.'"),
        ("a.lock", "branch 'a.lock': a path component must not end with '.lock'"),
        ("a.lock/b", "branch 'a.lock/b': a path component must not end with '.lock'"),
        // Several rules broken: the first in the order above is reported.
        ("a..b c", "branch 'a..b c' must not contain '..'"),
        ("a b//c", "branch 'a b//c' must not contain '//'"),
        ("x\u{1}y z", "branch name must not contain control characters"),
        ("a z/.b", "branch 'a z/.b' must not contain spaces or any of ~ ^ : ? * [ \\"),
        ("a.lock/.b", "branch 'a.lock/.b': a path component must not end with '.lock'"),
        (".a.lock", "branch '.a.lock': a path component must not start with '.'"),
    ])
    func refusesWithTheRuleBroken(_ name: String, _ reason: String) {
        #expect(BranchName.problem(with: name) == reason)
    }
}
