import Testing

@testable import OrangeCore

/// The completion scripts and the man page are pure functions of the command table.
struct CompletionScriptTests {
    @Test func optionValuesAreReadOffTheTable() throws {
        let list = try #require(OrangeCommands.all.first { $0.path == ["task", "list"] })
        #expect(CompletionValues.of(list.option(named: "status")!) == .words(TaskStatus.allCases.map(\.rawValue)))
        #expect(CompletionValues.of(list.option(named: "project")!) == .projects)
        #expect(CompletionValues.of(list.option(named: "all")!) == CompletionValues.none)
        let create = try #require(OrangeCommands.all.first { $0.path == ["task", "create"] })
        #expect(CompletionValues.of(create.option(named: "blocked-by")!) == .tasks)
        #expect(CompletionValues.of(create.option(named: "context")!) == CompletionValues.none, "text|- is free text, not two words")
        #expect(CompletionValues.of(create.option(named: "status")!) == .words(["pending", "reviewing"]))
        let graph = try #require(OrangeCommands.all.first { $0.path == ["graph"] })
        #expect(CompletionValues.of(graph.option(named: "format")!) == .words(["tree", "dot", "mermaid"]))
    }

    @Test func everyCommandAndOptionIsInEveryScriptAndThePage() {
        let bash = CompletionScript.render(.bash)
        let fish = CompletionScript.render(.fish)
        let man = ManPage.render()
        for command in OrangeCommands.all {
            #expect(bash.contains("'\(command.name)')"), "\(command.name)")
            #expect(man.contains(".SS \"orange \(ManPage.escape(command.name))"), "\(command.name)")
            for option in command.options {
                #expect(bash.contains("--\(option.name)"), "\(command.name) --\(option.name)")
                #expect(fish.contains("-l \(option.name)"), "\(command.name) --\(option.name)")
            }
        }
        #expect(CompletionScript.render(.zsh).hasPrefix("#compdef orange\n"))
    }

    @Test func manPageTextCannotBecomeARequest() {
        #expect(ManPage.line(".not a request") == "\\&.not a request")
        #expect(ManPage.line("'quoted") == "\\&'quoted")
        #expect(ManPage.escape("a\\b --c") == "a\\eb \\-\\-c")
    }
}
