/// The `orange sync` commands: one task graph shared by several machines through git.
extension OrangeCommands {
    static let sync: [CommandSpec] = [
        CommandSpec(
            ["sync", "init"], summary: "Share the tasks folder (or one project's) through a git remote: push it, or clone it.",
            options: [
                OptionSpec("remote", .value(placeholder: "url"), help: "The git remote (a forge, an ssh host, a bare repository)."),
                OptionSpec(
                    "project", short: "p", .value(placeholder: "name"), help: "Share only this project's tasks (default: every project)."),
            ],
            discussion:
                "Makes $ORANGE_HOME/tasks (or tasks/<project>) a git repository with the remote as origin. When the remote\nalready holds tasks, this machine's are merged with them; otherwise they are pushed. Only the task folders\ntravel: each machine keeps its own pool, worktrees, tmux server, projects.json and config. Register the\nproject on each machine (orange project add) under the same name. See docs/multi-machine.md.",
            examples: ["orange sync init --remote git@host:team/tasks.git", "orange sync init --remote /srv/tasks.git -p coffee"]),
        CommandSpec(
            ["sync", "status"], summary: "Show the shared tasks: remote, machine id, ahead/behind, last fetch and push, claims.",
            discussion:
                "Asks the remote once (git ls-remote) to say whether it is reachable now. Lists the claims held here, and\nother machines' claims whose lease ran out: their tasks wait until 'orange sync release-claims'."
        ),
        CommandSpec(
            ["sync", "now"], summary: "Commit this machine's task changes, fetch, merge and push once.",
            discussion:
                "The engine does this on its own every --sync-interval seconds; this is for a machine without an engine,\nor to not wait. A merge that would conflict is not made: nothing changes locally, and it is reported."
        ),
        CommandSpec(
            ["sync", "release-claims"], summary: "Give back the tasks a dead machine claimed, so other machines can run them.",
            options: [
                OptionSpec("machine", .value(placeholder: "id"), help: "The machine whose claims are released (see 'orange sync status')."),
                OptionSpec("force", help: "Release even claims whose lease still runs: you know the machine is dead."),
            ],
            discussion:
                "Each running task (working, clarification) claimed by that machine goes back to pending, without a claim,\nworkspace or session, and is pushed; other tasks only lose the claim. Refused while a claim's lease is\nlive (its machine renews it while its engine runs) unless --force.",
            examples: ["orange sync release-claims --machine laptop-3fa2", "orange sync release-claims --machine laptop-3fa2 --force"]),
    ]
}
