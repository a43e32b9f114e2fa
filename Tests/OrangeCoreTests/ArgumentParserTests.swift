import OrangeCore
import Testing

@Suite struct ArgumentParserTests {
    let parser = ArgumentParser(commands: OrangeCommands.all)

    func run(_ words: [String]) throws -> Invocation {
        guard case .run(let invocation) = try parser.parse(words) else {
            Issue.record("expected a command for \(words)")
            throw UsageError("not a command")
        }
        return invocation
    }

    @Test func flagsAnywhereAndBooleansNeverSwallowAWord() throws {
        let a = try run(["task", "create", "--no-spawn", "br", "fix", "the", "bug"])
        #expect(a.command.name == "task create")
        #expect(a.flag("no-spawn"))
        #expect(a.positionals == ["br", "fix", "the", "bug"])

        let b = try run(["task", "cancel", "--yes", "abc"])
        #expect(b.flag("yes") && b.positionals == ["abc"])
        let c = try run(["task", "cancel", "abc", "-y", "--json"])
        #expect(c.flag("yes") && c.wantsJSON && c.positionals == ["abc"])
    }

    @Test func contextDashMeansStdinAndEqualsForm() throws {
        let a = try run(["task", "create", "br", "--context", "-", "desc"])
        #expect(a.value("context") == "-")
        #expect(a.positionals == ["br", "desc"])
        let b = try run(["task", "create", "--context=-x", "br"])
        #expect(b.value("context") == "-x")
        let c = try run(["task", "create", "--project=coffee", "br"])
        #expect(c.value("project") == "coffee")
        let d = try run(["task", "create", "-pcoffee", "br"])
        #expect(d.value("project") == "coffee")
    }

    @Test func doubleDashEndsOptions() throws {
        let a = try run(["task", "create", "br", "--", "--not-a-flag", "-y"])
        #expect(a.positionals == ["br", "--not-a-flag", "-y"])
    }

    @Test func repeatableValuesAccumulate() throws {
        let a = try run(["task", "create", "x", "-b", "a1", "--blocked-by", "b2,c3"])
        #expect(a.allValues("blocked-by") == ["a1", "b2,c3"])
    }

    @Test func commandWordsOnlyAtTheStart() throws {
        // 'list' later on the line is a description word, not a command (original bug).
        let a = try run(["task", "create", "br", "list", "things"])
        #expect(a.command.name == "task create")
        #expect(a.positionals == ["br", "list", "things"])
    }

    @Test func leadingJSONApplies() throws {
        let a = try run(["--json", "task", "list"])
        #expect(a.wantsJSON)
    }

    @Test func helpForms() throws {
        guard case .help(let p0) = try parser.parse(["--help"]) else { Issue.record("no help"); return }
        #expect(p0 == [])
        guard case .help(let p1) = try parser.parse(["task"]) else { Issue.record("no help"); return }
        #expect(p1 == ["task"])
        guard case .help(let p2) = try parser.parse(["task", "create", "--help", "br"]) else { Issue.record("no help"); return }
        #expect(p2 == ["task", "create"])
        guard case .help(let p3) = try parser.parse(["task", "list", "-h"]) else { Issue.record("no help"); return }
        #expect(p3 == ["task", "list"])
    }

    @Test(arguments: [
        (["bogus"], "unknown command 'bogus'"),
        (
            ["task", "frobnicate"],
            "unknown command 'task frobnicate'; expected one of: create, list, show, why, update, cancel, delete, spawn, hold, unhold, respawn, attach, approve, unapprove, merge"
        ),
        (["task", "list", "--nope"], "unknown option '--nope' for 'orange task list'"),
        (["task", "create", "--project"], "option '--project' needs a value (<name>)"),
        (["task", "create", "--project", "--no-spawn"], "option '--project' needs a value (<name>), got option '--no-spawn'"),
        (["task", "cancel", "--yes=1", "a"], "option '--yes' takes no value (got '1')"),
        (["task", "show"], "missing argument <id>"),
        (["task", "show", "a", "b"], "unexpected argument 'b'"),
        (["task", "create", "--project", "a", "--project", "b"], "option '--project' was given more than once"),
        (["--verbose", "task", "list"], "unknown option '--verbose'"),
    ])
    func usageErrors(_ words: [String], _ message: String) {
        do {
            _ = try parser.parse(words)
            Issue.record("expected a usage error for \(words)")
        } catch {
            #expect(error.message.hasPrefix(message), "got: \(error.message)")
        }
    }

    @Test func helpIsGeneratedFromTheSpec() {
        let spec = OrangeCommands.all.first { $0.name == "task cancel" }!
        #expect(
            HelpRenderer.render(spec) == """
                Cancel a task: end its agent and free its workspace.

                Usage: orange task cancel <id> [options]

                Arguments:
                  <id>  The task id.

                Options:
                  -y, --yes    Do not ask for confirmation.
                      --force  Discard uncommitted changes in the workspace.
                      --json   Print machine-readable JSON on stdout (errors too, as {"error": …}).
                  -h, --help   Show this help.

                """)
        let top = HelpRenderer.render(group: [], commands: OrangeCommands.all, intro: OrangeCommands.intro)
        for spec in OrangeCommands.all { #expect(top.contains(spec.name)) }
    }
}
