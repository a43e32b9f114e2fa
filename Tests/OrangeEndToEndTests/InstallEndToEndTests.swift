import OrangeCore
import OrangeSystem
import OrangeTestSupport
import Testing

/// `orange install` / `uninstall`, the completion scripts in real shells, the man page.
@Suite struct InstallEndToEndTests {
    static let binDirectory = FileSystem.parentDirectory(of: OrangeHarness.binary)
    static func has(_ program: String) -> Bool { FileSystem.findExecutable(program, searchPath: "/usr/bin:/bin:/usr/local/bin") != nil }

    /// Runs `script` in `shell -c` with orange on PATH and the harness's data folder.
    func shell(_ h: OrangeHarness, _ shell: String, _ script: String, environment: [String: String] = [:]) throws -> ProcessResult {
        let env = h.environment.merging(["PATH": "\(Self.binDirectory):/usr/bin:/bin", "HOME": h.directory.path + "/user"]) { $1 }.merging(
            environment
        ) { $1 }
        return try h.runner.run([shell, "-c", script], environment: env, input: nil, timeoutSeconds: 60)
    }

    /// `COMPREPLY` for a command line typed so far (a trailing space starts a new word).
    func bashCompletions(_ h: OrangeHarness, _ line: String) throws -> [String] {
        let script = """
            source <(orange completion bash)
            read -ra COMP_WORDS <<< "$LINE"
            [[ $LINE == *" " ]] && COMP_WORDS+=("")
            COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
            _orange
            printf '%s\\n' "${COMPREPLY[@]}"
            """
        let result = try shell(h, "bash", script, environment: ["LINE": line])
        #expect(result.exitCode == 0, "\(line): \(result.stderr)")
        return result.stdout.split(separator: "\n").map(String.init)
    }

    @Test func bashCompletesCommandsOptionsValuesTasksAndProjects() throws {
        let h = try OrangeHarness()
        let repo = try h.makeProject("coffee")
        let id = try #require(try h.task(["task", "create", "brew", "x", "--no-spawn"], in: repo)["id"]?.stringValue)
        let registered = try shell(h, "bash", "source <(orange completion bash); complete -p orange")
        #expect(registered.stdout == "complete -F _orange orange\n", "\(registered.stdout) \(registered.stderr)")
        #expect(try bashCompletions(h, "orange task cr") == ["create", "create-pr"])
        #expect(try bashCompletions(h, "orange wa") == ["watch", "workspace"].filter { $0.hasPrefix("wa") })
        #expect(
            try Set(bashCompletions(h, "orange ")).isSuperset(of: [
                "task", "project", "graph", "help", "completion", "install", "uninstall",
            ]))
        #expect(try bashCompletions(h, "orange task list --status re") == ["reviewing", "reviewed"])
        #expect(try bashCompletions(h, "orange graph --format ") == ["tree", "dot", "mermaid"])
        #expect(try bashCompletions(h, "orange task merge x --strategy ") == ["ff", "merge"])
        #expect(try bashCompletions(h, "orange task update --as ") == ["agent", "human"])
        #expect(try bashCompletions(h, "orange task list --bl") == ["--blocked"])
        #expect(try bashCompletions(h, "orange task show ") == [id])
        #expect(try bashCompletions(h, "orange task create next y --blocked-by ") == [id])
        #expect(try bashCompletions(h, "orange project update ") == ["coffee"])
        #expect(try bashCompletions(h, "orange task list -p ") == ["coffee"])
        #expect(try bashCompletions(h, "orange help task up") == ["update"])
        #expect(try bashCompletions(h, "orange completion ") == ["bash", "zsh", "fish"])
        // Free text gets nothing offered, not the command words.
        #expect(try bashCompletions(h, "orange task create br --context ").isEmpty)
        #expect(try h.orange(["completion", "--list", "tasks"]).stdout == id + "\n")
        #expect(try h.orange(["completion", "--list", "projects"]).stdout == "coffee\n")
        #expect(try h.orange(["completion", "powershell"]).exitCode == 2)
    }

    /// What an interactive zsh (on a pseudo-terminal, `zsh/zpty`) shows after `typed` and a Tab,
    /// once it shows `expected` (or after 20 seconds).
    func zshTab(_ h: OrangeHarness, _ typed: String, expecting expected: String) throws -> String {
        let script = """
            zmodload zsh/zpty
            zpty z 'zsh -f -i'
            zpty -w z 'PS1="> "; source <(orange completion zsh)'
            zpty -w -n z "$TYPED"$'\\t'
            shown=""; integer end=$(( SECONDS + 20 ))
            while (( SECONDS < end )); do
                if zpty -r -t z chunk; then shown+=$chunk; [[ $shown == *"$EXPECTED"* ]] && break; else sleep 0.05; fi
            done
            zpty -d z
            print -r -- "$shown"
            """
        return try shell(h, "zsh", script, environment: ["TYPED": typed, "EXPECTED": expected]).stdout
    }

    @Test(.enabled(if: InstallEndToEndTests.has("zsh"), "zsh is not installed"))
    func zshCompletesCommandsOptionValuesTasksAndProjects() throws {
        let h = try OrangeHarness()
        let repo = try h.makeProject("coffee")
        let id = try #require(try h.task(["task", "create", "brew", "x", "--no-spawn"], in: repo)["id"]?.stringValue)
        let loaded = try shell(h, "zsh", "source <(orange completion zsh); whence -w _orange")
        #expect(loaded.exitCode == 0 && loaded.stdout.contains("_orange: function"), "\(loaded.stdout) \(loaded.stderr)")
        // Each line, typed in a real interactive zsh, then Tab: the one completion it must give
        // (zsh draws the space it adds after it in bold, so that space is not part of the text).
        let cases = [
            ("orange task cr", "orange task create"),
            ("orange graph --format me", "orange graph --format mermaid"),
            ("orange task list --status cl", "orange task list --status clarification"),
            ("orange task show \(id.prefix(6))", "orange task show \(id)"),
            ("orange project update co", "orange project update coffee"),
            ("orange help task upd", "orange help task update"),
        ]
        for (typed, expected) in cases {
            let shown = try zshTab(h, typed, expecting: expected)
            #expect(shown.contains(expected), "\(typed) + Tab: \(shown)")
        }
    }

    /// fish's completions for a command line typed so far (`complete -C`), first words only.
    func fishCompletions(_ h: OrangeHarness, _ line: String) throws -> [String] {
        let result = try shell(h, "fish", "orange completion fish | source; complete -C $LINE", environment: ["LINE": line])
        #expect(result.exitCode == 0, "\(line): \(result.stderr)")
        return result.stdout.split(separator: "\n").map { String($0.prefix { $0 != "\t" }) }
    }

    @Test(.enabled(if: InstallEndToEndTests.has("fish"), "fish is not installed"))
    func fishCompletesCommandsOptionValuesTasksAndProjects() throws {
        let h = try OrangeHarness()
        let repo = try h.makeProject("coffee")
        let id = try #require(try h.task(["task", "create", "brew", "x", "--no-spawn"], in: repo)["id"]?.stringValue)
        #expect(try fishCompletions(h, "orange task cr") == ["create", "create-pr"])
        #expect(try fishCompletions(h, "orange task list --status re") == ["reviewed", "reviewing"])
        #expect(try fishCompletions(h, "orange graph --format ") == ["dot", "mermaid", "tree"])
        #expect(try fishCompletions(h, "orange task merge x --strategy ") == ["ff", "merge"])
        #expect(try fishCompletions(h, "orange task show ") == [id])
        #expect(try fishCompletions(h, "orange task create next y --blocked-by ") == [id])
        #expect(try fishCompletions(h, "orange project update ") == ["coffee"])
        #expect(try fishCompletions(h, "orange task list -p ") == ["coffee"])
        #expect(try fishCompletions(h, "orange completion ") == ["bash", "fish", "zsh"])
        // Free text gets nothing offered: no command words, no file names.
        #expect(try fishCompletions(h, "orange task create br --context ").isEmpty)
    }

    @Test func manPageNamesEveryCommandAndRendersWithoutWarnings() throws {
        let h = try OrangeHarness()
        let page = try h.orange(["help", "--man"])
        #expect(page.exitCode == 0 && page.stdout.hasPrefix(".TH ORANGE 1"))
        for command in OrangeCommands.all {
            #expect(page.stdout.contains(".SS \"orange \(ManPage.escape(command.name))"), "\(command.name)")
        }
        guard Self.has("man") else { return }
        let file = h.directory.path + "/orange.1"
        try AtomicFile.write(page.stdout, to: file)
        let shown = try h.runner.run(
            ["man", "--warnings", "-l", file],
            environment: ["MANWIDTH": "100", "PATH": "/usr/bin:/bin", "MANPAGER": "cat", "PAGER": "cat"], input: nil, timeoutSeconds: 60)
        #expect(shown.exitCode == 0 && shown.stderr.isEmpty, "\(shown.stderr)")
        #expect(
            shown.stdout.contains("orange task create [branch] [description…] [options]")
                || shown.stdout.contains("orange task create [branch]"), "\(shown.stdout.prefix(2000))")
        #expect(shown.stdout.contains("--status status"))
    }

    @Test func installPutsOrangeOnPathAndUninstallRemovesExactlyThat() throws {
        let h = try OrangeHarness()
        let user = h.directory.path + "/user"
        try FileSystem.makeDirectories(user + "/.claude/skills/other")
        let env = ["HOME": user, "PATH": "/usr/bin:/bin"]
        let installed = try h.orange(["install", "--harness", "claude", "--json"], extraEnvironment: env)
        #expect(installed.exitCode == 0, "\(installed.stderr)")
        let json = try JSONValue.parse(installed.stdout)
        #expect(json["on_path"] == .bool(false) && json["prefix"]?.stringValue == user + "/.local")
        let paths = json["installed"]?.arrayValue?.compactMap { $0["path"]?.stringValue } ?? []
        let expected = [
            user + "/.local/bin/orange", user + "/.claude/skills/orange/SKILL.md",
            user + "/.local/share/bash-completion/completions/orange", user + "/.local/share/fish/vendor_completions.d/orange.fish",
            user + "/.local/share/man/man1/orange.1",
        ]
        #expect(paths == expected)
        #expect(FileSystem.readSymbolicLink(user + "/.local/bin/orange") == FileSystem.realPath(OrangeHarness.binary))
        // The linked orange runs, and its completion and man page are the generated ones.
        let linked = try h.runner.run(
            ["/usr/bin/env", "orange", "--version"], environment: ["PATH": "\(user)/.local/bin:/usr/bin:/bin", "ORANGE_HOME": h.home],
            input: nil, timeoutSeconds: 30)
        #expect(linked.stdout == "orange \(OrangeCommands.version)\n")
        #expect(try FileSystem.readText(expected[2]) == h.orange(["completion", "bash"]).stdout)
        #expect(try FileSystem.readText(expected[4]) == h.orange(["help", "--man"]).stdout)
        let text = try h.orange(["install", "--harness", "claude"], extraEnvironment: env)
        #expect(text.stdout.contains("is not on your PATH") && text.stdout.contains("Linked \(expected[0])"), "\(text.stdout)")

        let removed = try h.orange(["uninstall", "--json"], extraEnvironment: env)
        #expect(removed.exitCode == 0, "\(removed.stdout) \(removed.stderr)")
        #expect(Set(try JSONValue.parse(removed.stdout)["removed"]?.arrayValue?.compactMap(\.stringValue) ?? []) == Set(expected))
        for path in expected { #expect(!FileSystem.fileExists(path) && FileSystem.readSymbolicLink(path) == nil, "\(path)") }
        #expect(!FileSystem.fileExists(user + "/.claude/skills/orange"))
        #expect(FileSystem.isDirectory(user + "/.claude/skills/other"), "something install did not write was removed")
        #expect(!FileSystem.fileExists(h.home + "/install-manifest.json"))
        #expect(try h.orange(["uninstall"], extraEnvironment: env).stdout.hasPrefix("Nothing to uninstall"))
    }

    @Test func uninstallKeepsWhatChangedAndInstallKeepsAnotherOrange() throws {
        let h = try OrangeHarness()
        let user = h.directory.path + "/user"
        let prefix = h.directory.path + "/opt"
        let env = ["HOME": user, "PATH": "\(prefix)/bin:/usr/bin:/bin"]
        let result = try h.orange(["install", "--prefix", prefix, "--json"], extraEnvironment: env)
        #expect(try JSONValue.parse(result.stdout)["on_path"] == .bool(true))
        let completion = prefix + "/share/bash-completion/completions/orange"
        try AtomicFile.write("# mine now\n", to: completion)
        let removed = try h.orange(["uninstall"], extraEnvironment: env)
        #expect(removed.exitCode == 1 && removed.stdout.contains("Kept \(completion) changed since it was installed"), "\(removed.stdout)")
        #expect(try FileSystem.readText(completion) == "# mine now\n")
        #expect(!FileSystem.fileExists(prefix + "/share/man/man1/orange.1") && FileSystem.readSymbolicLink(prefix + "/bin/orange") == nil)

        // A real file where the link would go is someone else's orange: refused, nothing written.
        let other = h.directory.path + "/other"
        try FileSystem.makeDirectories(other + "/bin")
        try AtomicFile.write("#!/bin/sh\n", to: other + "/bin/orange", mode: 0o755)
        let refused = try h.orange(["install", "--prefix", other], extraEnvironment: env)
        #expect(refused.exitCode == 1 && refused.stderr.contains("is not a link orange made"))
        #expect(try FileSystem.listDirectory(other) == ["bin"])
    }
}
