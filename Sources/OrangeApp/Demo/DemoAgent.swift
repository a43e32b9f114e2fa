/// The simulated agent `orange demo` runs instead of a real coding agent. It does what a worker
/// does, for real: edits files, commits on its branch, and reports through orange. A task whose
/// TASK.md has a `## Plan` section delegates instead: one sub-task per plan line
/// (`branch | description | blocker branch | sub-plan`), then `task update --status delegated`.
/// Given a sequential parent's reassess turn (its prompt says so), it keeps the plan as it is
/// and delegates again.
enum DemoAgent {
    static let script = #"""
        #!/bin/sh
        set -eu
        task_file="$1"
        prompt="${2:-}"
        id="$ORANGE_TASK_ID"
        case "$prompt" in
        *"reassess the plan"*)
            orange task update --status delegated >/dev/null
            exit 0 ;;
        esac
        new_id() { sed -n 's/^    "id": "\([A-Za-z0-9]*\)",$/\1/p' | head -n 1; }

        if grep -q '^## Plan$' "$task_file"; then
            map=""
            sed -n '/^## Plan$/,$p' "$task_file" | sed '1d' | grep '|' > plan.txt || true
            while IFS='|' read -r branch description blocker subplan; do
                branch=$(echo "$branch" | tr -d ' ')
                description=$(echo "$description" | sed 's/^ *//;s/ *$//')
                blocker=$(echo "${blocker:-}" | tr -d ' ')
                set -- "$branch" "$description"
                if [ -n "$blocker" ]; then
                    blocker_id=$(echo "$map" | tr ' ' '\n' | sed -n "s/^$blocker=//p")
                    set -- "$@" --blocked-by "$blocker_id"
                fi
                if [ -n "$(echo "${subplan:-}" | tr -d ' ')" ]; then
                    context=$(printf '## Plan\n%s\n' "$(echo "$subplan" | tr ';' '\n' | sed 's/^ *//')")
                    new=$(printf '%s\n' "$context" | orange task create "$@" --context - --json | new_id)
                else
                    new=$(orange task create "$@" --json | new_id)
                fi
                map="$map $branch=$new"
            done < plan.txt
            rm -f plan.txt
            orange task update --status delegated >/dev/null
            exit 0
        fi

        # Real work: a file on the task's branch, committed.
        mkdir -p src
        printf '%s\n' "$(sed -n 's/^description: //p' "$task_file")" > "src/$(git rev-parse --abbrev-ref HEAD | tr '/' '-').txt"
        git add src
        git -c user.name="demo agent" -c user.email=agent@orange.invalid commit -q -m "$(sed -n 's/^description: //p' "$task_file")"
        orange task update --status reviewing >/dev/null
        """#
}
