/// Every orange command, as data. `ArgumentParser` and `HelpRenderer` work from this table.
public enum OrangeCommands {
    /// Printed by `orange --version`; raised with each release.
    public static let version = "0.1.0"

    public static let intro = """
        orange: run coding agents on a graph of tasks, each in its own git worktree and tmux session.

        Tasks live in $ORANGE_HOME/tasks/<project>/<id>/TASK.md (default ~/orange). A task is ready
        when it is pending and every task in its blocked_by is done; ready tasks are spawned into
        free workspace slots at once.
        """

    public static let all: [CommandSpec] =
        project + task + lifecycle + pullRequests + workspace + watch + service + sync + [
            dashboard, graph, log, doctor, install, uninstall, completion, demo,
        ] + [syncMergeDriver]

    public static let dashboard = CommandSpec(
        ["dashboard"], summary: "Open the live full-screen view of the task graph (also: 'orange' alone, on a terminal).",
        options: [
            .project,
            OptionSpec("all", short: "a", help: "Every project, not only the current one."),
            OptionSpec("flat", help: "Start in the flat layout (a parent column) instead of nested."),
        ],
        discussion:
            "Runs the engine in-process when no 'orange watch' runs (ready tasks start, delegated tasks complete);\notherwise follows the running engine and only shows. Press ? inside for the keys.\nWith --json it prints the rows it would show, once, and exits (for scripts)."
    )

    static let doctor = CommandSpec(
        ["doctor"], summary: "Check the data folder ($ORANGE_HOME) and report every problem with its file, line and reason.",
        options: [
            OptionSpec(
                "fix",
                help:
                    "Also make the safe repairs: remove leftovers of dead processes, put back interrupted spawns, add a child missing from its parent's list, release workspaces of deleted tasks."
            )
        ],
        discussion:
            "Checks every TASK.md (as orange reads it), stray files, folders and symbolic links in the tasks tree,\nduplicate ids, blockers and parents that are missing, in another project or on a cycle, links written\non one side only, projects.json, config.json and the workspace pool. A TASK.md that does not parse is\nnever changed, with or without --fix. Exit status: 0 when nothing is wrong, 1 while problems remain.",
        examples: ["orange doctor", "orange doctor --fix --json"])

    static let demo = CommandSpec(
        ["demo"], summary: "Run a real task graph end to end with a simulated agent (no coding agent needed).",
        options: [OptionSpec("keep", help: "Keep the throwaway ORANGE_HOME, project and logs for inspection.")],
        discussion:
            "Creates a throwaway ORANGE_HOME, a git project with an origin and a private tmux server, starts\n'orange watch', and runs the seed's two flows: a chain of three tasks, and a worker that delegates\ninto three sub-tasks (one delegating again). The demo approves and merges as a person would, prints\nthe timeline and the final graph, and exits 0 only if every expected transition happened."
    )

    static let watch: [CommandSpec] = [
        CommandSpec(
            ["watch"],
            summary: "Run the engine in the foreground: react to TASK.md edits at once, start ready tasks, complete delegated ones.",
            options: [
                OptionSpec(
                    "sweep-interval", .value(placeholder: "seconds"), help: "Full safety pass every this many seconds (default: 30)."),
                OptionSpec("quiet-ms", .value(placeholder: "ms"), help: "Quiet period before acting on a partial write (default: 30)."),
                OptionSpec("once", help: "One full pass (reconcile everything), then exit: for cron."),
                OptionSpec(
                    "project", short: "p", .value(placeholder: "name"),
                    help: "Only watch, complete and spawn tasks of this project (default: every project)."),
                OptionSpec(
                    "poll-interval", .value(placeholder: "seconds"),
                    help: "When inotify limits leave folders unwatched, poll them this often (default: 1)."),
                .prInterval,
                OptionSpec(
                    "sync-interval", .value(placeholder: "seconds"),
                    help: "With shared tasks (orange sync): commit, fetch, merge and push this often (default: 3)."),
            ],
            discussion:
                "One line per change, with the delay from the edit that caused it; --json gives one JSON object per line.\nOnly one engine runs per ORANGE_HOME, even with --project; a second one exits with status 1 and names the first."
        ),
        CommandSpec(
            ["watch", "sync"], summary: "Wait until the running engine has applied every change made before this command.",
            options: [OptionSpec("timeout", .value(placeholder: "seconds"), help: "Give up after this long (default: 30).")]),
    ]

    static let service: [CommandSpec] = [
        CommandSpec(
            ["service", "install"], summary: "Run 'orange watch' as a systemd user service for this ORANGE_HOME (restarted on failure).",
            options: [OptionSpec("print", help: "Only print the unit; write nothing.")],
            discussion:
                "Writes $XDG_CONFIG_HOME/systemd/user/orange-watch.service (default ~/.config/…; orange-watch-<hash>.service\nfor an ORANGE_HOME other than ~/orange), then runs 'systemctl --user daemon-reload' and 'enable --now'\nwhen a user systemd answers; otherwise it says so and leaves the unit written. Output goes to the\njournal (journalctl --user -u <unit>) and orange.log.",
            examples: ["orange service install", "orange service install --print"]),
        CommandSpec(
            ["service", "uninstall"], summary: "Stop and disable the service when systemd answers, and remove exactly its unit file."),
        CommandSpec(
            ["service", "status"],
            summary: "Say whether the unit is installed, what systemd reports, and whether an engine runs for this ORANGE_HOME."),
    ]

    static let project: [CommandSpec] = [
        CommandSpec(
            ["project", "add"], summary: "Register a git repository as a project.",
            positionals: [PositionalSpec("path", .optional, help: "A folder inside the repository (default: the current directory).")],
            options: [
                OptionSpec(
                    "name", .value(placeholder: "name"),
                    help: "Project name (default: the repository folder's name). Letters, digits, '.', '_', '-'."),
                OptionSpec("pool-size", .value(placeholder: "n"), help: "How many agents may run at once (default: 2)."),
            ],
            examples: ["orange project add ~/src/coffee --pool-size 3"]),
        CommandSpec(["project", "list"], summary: "List registered projects."),
        CommandSpec(
            ["project", "update"], summary: "Change a project's settings.",
            positionals: [PositionalSpec("name", .optional, help: "The project (default: the current directory's).")],
            options: [
                OptionSpec("pool-size", .value(placeholder: "n"), help: "New pool size (1 to 64)."),
                .execution("How top-level tasks (and sub-trees that set none) run: sequential or parallel (default)."),
                .branches("Where sub-tasks branch and merge: flat (default branch) or hierarchical (parent's branch)."),
                .mergeVia, .prMerge,
            ],
            examples: [
                "orange project update --execution sequential", "orange project update coffee --branches hierarchical",
                "orange project update --merge-via pr --pr-merge squash",
            ]),
        CommandSpec(
            ["project", "setup"], summary: "Set the command run in each task's worktree before its agent starts.",
            positionals: [
                PositionalSpec("command", .variadic, help: "The program and its arguments (after '--'); none: show the setting.")
            ],
            options: [
                .project,
                OptionSpec("timeout", .value(placeholder: "seconds"), help: "Give up on the command after this long (default: 300)."),
                OptionSpec("clear", help: "Remove the setup command."),
            ],
            discussion:
                "The command (an argv, never run through a shell) runs in the worktree after orange prepared it and\nbefore the agent starts: copy .env, install dependencies. Its output goes to\n$ORANGE_HOME/tasks/<project>/<id>/setup.log. A failure (non-zero exit or timeout) is a failed\nspawn: rolled back, retried once, the output's tail in last_error. For a shell line: -- sh -c '…'.",
            examples: [
                "orange project setup -- cp ../.env .", "orange project setup -p coffee --timeout 600 -- npm ci",
                "orange project setup --clear",
            ]),
        CommandSpec(
            ["project", "remove"], summary: "Unregister a project (its tasks and worktrees stay on disk).",
            positionals: [PositionalSpec("name", help: "The project to remove.")]),
    ]

    static let task: [CommandSpec] = [
        CommandSpec(
            ["task", "create"], summary: "Create a task.",
            positionals: [
                PositionalSpec("branch", .optional, help: "Git branch for the work (default: orange-tasks/<id>)."),
                PositionalSpec("description", .variadic, help: "What to do; the remaining words are joined with spaces."),
            ],
            options: [
                .project,
                OptionSpec(
                    "blocked-by", short: "b", .value(placeholder: "id[,id…]"), repeatable: true,
                    help: "Do not start until this task is done."),
                OptionSpec("parent", .value(placeholder: "id"), help: "Make this a sub-task of <id> (inferred inside a task's workspace)."),
                OptionSpec(
                    "harness", .value(placeholder: "name"), help: "Agent to run: claude, pi, codex, opencode or one from config.json."),
                OptionSpec(
                    "context", .value(placeholder: "text|-"), help: "Extra context for the agent, written to the body; '-' reads stdin."),
                OptionSpec("status", .value(placeholder: "pending|reviewing"), help: "Initial status (default: pending)."),
                OptionSpec(
                    "no-spawn",
                    help: "Do not start agents now (only now: 'orange watch' or the next orange command starts it; see --hold)."),
                OptionSpec("hold", help: "Create the task held: it does not start, whatever changes, until 'orange task unhold <id>'."),
                .execution("How this task's sub-tasks run (default: inherited from its parent, else the project)."),
                .branches("Where this task's sub-tasks branch and merge (default: inherited)."),
            ],
            discussion:
                "Validation: every blocker must exist, be in the same project, and not create a cycle\n(blocked_by and parent edges are checked together).",
            examples: [
                "orange task create oauth-db \"schema\"",
                "orange task create oauth-api \"endpoints\" --blocked-by <db-id>",
                "orange task create oauth-ui \"button\" --blocked-by <api-id> --parent <id>",
            ]),
        CommandSpec(
            ["task", "list"], summary: "List tasks.",
            options: [
                .project,
                OptionSpec("all", short: "a", help: "Every project, not only the current one."),
                OptionSpec("status", short: "s", .value(placeholder: "status"), repeatable: true, help: "Only tasks with this status."),
                OptionSpec("ready", help: "Only ready tasks (pending, every blocker done)."),
                OptionSpec("blocked", help: "Only pending tasks that wait on a blocker."),
                OptionSpec("tree", short: "t", help: "Children indented under their parents, blockers shown."),
            ]),
        CommandSpec(
            ["task", "show"], summary: "Show a task: fields, blockers, children, parent, history.",
            positionals: [PositionalSpec("id", help: "The task id.")]),
        CommandSpec(
            ["task", "why"], summary: "Explain why a task is not ready or not done, down to the root cause.",
            positionals: [PositionalSpec("id", help: "The task id.")]),
        CommandSpec(
            ["task", "update"], summary: "Change a task's status, description, branch or blockers.",
            positionals: [PositionalSpec("id", .optional, help: "The task (default: the task of the current workspace).")],
            options: [
                OptionSpec("status", .value(placeholder: "status"), help: "New status; the transition table decides what is allowed."),
                OptionSpec("description", .value(placeholder: "text"), help: "New description."),
                OptionSpec("branch", .value(placeholder: "name"), help: "New branch name (the task must not be running)."),
                OptionSpec(
                    "blocked-by", short: "b", .value(placeholder: "id[,id…]"), repeatable: true,
                    help: "Add a blocker (validated like create)."),
                OptionSpec("unblock", .value(placeholder: "id[,id…]"), repeatable: true, help: "Remove a blocker."),
                OptionSpec(
                    "as", .value(placeholder: "agent|human"),
                    help: "Who is making the change (default: agent inside a workspace, human elsewhere)."),
                .execution("How this task's sub-tasks run; 'inherit' removes the task's own setting."),
                .branches("Where this task's sub-tasks branch and merge; 'inherit' removes the task's own setting."),
            ],
            examples: [
                "orange task update --status delegated", "orange task update abc123 --execution sequential",
                "orange task update abc123 --blocked-by def456",
            ]),
        CommandSpec(
            ["task", "cancel"], summary: "Cancel a task: end its agent and free its workspace.",
            positionals: [PositionalSpec("id", help: "The task id.")],
            options: [.yes, .force]),
        CommandSpec(
            ["task", "delete"], summary: "Delete a done, failed or cancelled task's folder (the git branch is kept).",
            positionals: [PositionalSpec("id", help: "The task id.")],
            options: [.yes]),
    ]

    static let lifecycle: [CommandSpec] = [
        CommandSpec(
            ["task", "spawn"], summary: "Start an agent for a pending task now.",
            positionals: [PositionalSpec("id", help: "The task id.")]),
        CommandSpec(
            ["task", "hold"], summary: "Keep a task from starting until 'orange task unhold' (a running agent is not stopped).",
            positionals: [PositionalSpec("id", help: "The task id.")],
            options: [OptionSpec("reason", .value(placeholder: "text"), help: "Why, shown wherever the task's status is.")],
            discussion:
                "A held pending task is never ready: edits, 'orange watch' and its blockers finishing do not start it.\nA hold on a task that is not pending keeps it from starting again if it goes back to pending."
        ),
        CommandSpec(
            ["task", "unhold"], summary: "Lift a task's hold; it starts when it is ready.",
            positionals: [PositionalSpec("id", help: "The task id.")]),
        CommandSpec(
            ["task", "respawn"], summary: "Start a new agent session for a task whose agent stopped.",
            positionals: [PositionalSpec("id", help: "The task id.")]),
        CommandSpec(
            ["task", "attach"], summary: "Attach the terminal to the task's tmux session.",
            positionals: [PositionalSpec("id", help: "The task id.")]),
        CommandSpec(
            ["task", "approve"], summary: "Approve a task in review (reviewing → reviewed).",
            positionals: [PositionalSpec("id", help: "The task id.")]),
        CommandSpec(
            ["task", "unapprove"], summary: "Send a reviewed task back to review (reviewed → reviewing).",
            positionals: [PositionalSpec("id", help: "The task id.")]),
        CommandSpec(
            ["task", "merge"], summary: "Merge a reviewed task's branch into the default branch on origin, then finish the task.",
            positionals: [PositionalSpec("id", help: "The task id.")],
            options: [
                OptionSpec(
                    "strategy", .value(placeholder: "ff|merge"),
                    help: "Fast-forward only, or always a merge commit (default: ff when possible, else merge).")
            ],
            discussion:
                "The merge happens in the task's worktree and is pushed to origin; your own checkout is never touched.\nDependents of the task become ready and start. With the project's '--merge-via pr' it merges the task's\npull request with 'gh pr merge' instead (opening it first when there is none)."
        ),
        CommandSpec(
            ["task", "request-changes"], summary: "Send a task in review back to its agent with what to change (→ working).",
            positionals: [
                PositionalSpec("id", help: "The task id (reviewing or reviewed)."),
                PositionalSpec("changes", .variadic, help: "What to change; the remaining words are joined with spaces."),
            ],
            options: [OptionSpec("message", short: "m", .value(placeholder: "text|-"), help: "What to change; '-' reads stdin.")],
            discussion:
                "The request is added to TASK.md under '## Review' as '### Round N'. The task goes back to working;\nits agent gets the request typed into its session when it still runs, else a new agent starts\nwith the request in its prompt.",
            examples: [
                "orange task request-changes abc123 \"handle the empty list\"", "orange task request-changes abc123 -m - < notes.md",
            ]),
        CommandSpec(
            ["task", "log"], summary: "Print the agent's recent output from its tmux pane, without attaching.",
            positionals: [PositionalSpec("id", help: "The task id.")],
            options: [
                OptionSpec("follow", short: "f", help: "Keep printing new lines until the agent's session ends (or Ctrl-C)."),
                OptionSpec("lines", short: "n", .value(placeholder: "n"), help: "How many lines (default: 50)."),
            ],
            examples: ["orange task log abc123 -n 200", "orange task log abc123 -f"]),
    ]

    static let workspace: [CommandSpec] = [
        CommandSpec(
            ["workspace", "init"], summary: "Create the project's pool of worktrees up to its pool size.",
            options: [.project]),
        CommandSpec(
            ["workspace", "list"], summary: "List worktrees and the tasks using them.",
            options: [.project, OptionSpec("all", short: "a", help: "Every project.")]),
        CommandSpec(
            ["workspace", "gc"], summary: "Free workspaces bound to tasks that no longer run an agent, and fix pool bindings.",
            options: [.force]),
        CommandSpec(
            ["workspace", "release"], summary: "Free one workspace (its task keeps its branch).",
            positionals: [PositionalSpec("name", help: "The workspace, e.g. coffee--1.")],
            options: [.force]),
    ]

    static let install = CommandSpec(
        ["install"], summary: "Put orange on your PATH, teach coding agents the orange skill, install shell completions and the man page.",
        options: [
            OptionSpec(
                "prefix", .value(placeholder: "dir"),
                help: "Install under this folder: <dir>/bin/orange, <dir>/share/… (default: ~/.local)."),
            OptionSpec("harness", .value(placeholder: "name"), help: "The skill for this harness only (default: every installed one)."),
        ],
        discussion:
            "Writes <prefix>/bin/orange (a link to this executable), the skill into each agent's skills folder,\nbash and fish completions under <prefix>/share and the man page <prefix>/share/man/man1/orange.1,\nand records every path in $ORANGE_HOME/install-manifest.json for 'orange uninstall'.",
        examples: ["orange install", "orange install --prefix /opt/orange --json"])

    static let uninstall = CommandSpec(
        ["uninstall"], summary: "Remove exactly what 'orange install' wrote (from its manifest); tasks and projects are kept.",
        discussion: "A file changed since it was installed (another program's link, an edited skill) is left and named.")

    static let completion = CommandSpec(
        ["completion"], summary: "Print a shell completion script for bash, zsh or fish.",
        positionals: [PositionalSpec("shell", .optional, help: "bash, zsh or fish.")],
        options: [
            OptionSpec(
                "list", .value(placeholder: "tasks|projects"),
                help: "For the scripts: print the data folder's task ids or project names, one a line.")
        ],
        discussion:
            "Generated from the same command table as --help: commands, options, option values (statuses,\nformats, strategies), and task ids and project names read when you press Tab.",
        examples: [
            "source <(orange completion bash)   # in ~/.bashrc", "source <(orange completion zsh)    # in ~/.zshrc",
            "orange completion fish | source    # in config.fish",
        ])

    static let graph = CommandSpec(
        ["graph"], summary: "Print the task graph.",
        options: [
            .project,
            OptionSpec("all", short: "a", help: "Every project."),
            OptionSpec("format", short: "f", .value(placeholder: "tree|dot|mermaid"), help: "Output format (default: tree)."),
        ],
        examples: ["orange graph --format dot | dot -Tsvg > graph.svg"])

    static let log = CommandSpec(
        ["log"], summary: "Show orange's own log ($ORANGE_HOME/orange.log).",
        options: [
            OptionSpec("level", .value(placeholder: "debug|info|warn|error"), help: "Only this level and worse."),
            OptionSpec("component", .value(placeholder: "name"), help: "Only this component (cli, task, spawn, watch, …)."),
            OptionSpec("grep", .value(placeholder: "text"), help: "Only lines containing this text (case-insensitive)."),
            OptionSpec("lines", short: "n", .value(placeholder: "n"), help: "How many matching lines (default: 20)."),
            OptionSpec("follow", short: "f", help: "Then keep printing new lines as they are written (across rotation), until Ctrl-C."),
        ])
}
