/// The orange skill installed for each harness by `orange install`: how a worker reports its
/// status and delegates, and how an orchestrator builds a task graph.
public enum SkillText {
    public static func markdown(harness: String) -> String {
        """
        ---
        name: orange
        description: Work on an orange task (a TASK.md is in the current folder), or break work into an orange task graph when asked to plan or orchestrate tasks.
        ---

        # orange

        ## Worker mode (a TASK.md is in the current folder)

        1. Read TASK.md: the description and any `## Context`. If anything is unclear, write your
           questions under `## Questions` in TASK.md and run `orange task update --status clarification`.
        2. Work on the task's branch (already checked out). Commit as you go. Never push or merge.
        3. When done: commit, write a short handoff under `## Notes` in TASK.md (done, remaining,
           decisions), then run `orange task update --status reviewing`.
        4. If you cannot go on: `orange task update --status stuck`, with the reason under `## Notes`.
        5. Changes requested in review arrive in your session (or your prompt) and under `## Review`
           in TASK.md, one `### Round N` each: address the latest round, then report `reviewing` again.

        ### Splitting a task that is too big (delegation)

        From this folder, create sub-tasks; each becomes a child of your task:

            orange task create --harness \(harness) oauth-db "database schema for OAuth"
            orange task create --harness \(harness) oauth-api "OAuth endpoints" --blocked-by <db-id>
            orange task create --harness \(harness) oauth-ui "login button" --blocked-by <api-id>

        Commit your work, then run `orange task update --status delegated`. Your session ends and
        your workspace is freed; orange runs the sub-tasks as they become ready and marks your task
        done when all of them are done. Sub-tasks may delegate again.

        Add `--execution sequential` to your own task (`orange task update <your-id> --execution
        sequential`) to have the sub-tasks run one at a time. Then, after each one is done, orange
        starts you again for a **reassess turn**: the prompt names the sub-task that finished, what
        it changed and the ones left. Adjust the plan (`orange task create …` to add one,
        `orange task cancel <id> --yes`, `orange task update <id> --blocked-by <other>` to reorder,
        `orange task update <id> --description "…"` to rewrite), then run
        `orange task update --status delegated` again: the next sub-task starts only then.

        With `--branches hierarchical` on your task, each sub-task starts from your branch and is
        merged into it; when all are done your task goes to review once, with everything in your
        branch. If a sub-task's TASK.md has a `## Merge conflict` section, resolve it first as it
        says (merge `origin/<parent branch>` into your branch, fix, commit, ask for review again).

        ## Orchestrator mode (no TASK.md)

        Break the request into tasks with explicit order: `--blocked-by <id>` makes a task wait until
        the other is done (same project, no cycles; orange refuses both with a clear error). Ready
        tasks start at once, as many as the project's pool allows.

            orange task list --ready        # what can start now
            orange task list --tree         # the graph, blockers shown
            orange task why <id>            # why a task is not moving
            orange task show <id>           # fields, blockers, children, history

        Every command accepts `--json` and then prints one object, `{"schema": 1, …}`: a command
        about one task has the task under `task` (`orange task create … --json` → `.task.id`),
        `task list` an array under `tasks`; an error is `{"schema": 1, "error": {"kind",
        "message"}}` with a non-zero exit. Every command's shape: docs/json.md in orange's sources.
        """
    }
}
