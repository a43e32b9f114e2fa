#!/usr/bin/env bash
# Several machines, one graph (issue 17): the delay from a push on one machine to the
# transition on another. Two ORANGE_HOMEs on this machine share a bare tasks remote; machine B
# runs `orange watch --json --sync-interval S`; machine A changes a task's status (a person's
# `task update --status cancelled`) and pushes it (`orange sync now`). The figure is the time
# from the end of that push to B's engine printing the transition, for N tasks in a row.
# Usage: bench/sync.sh [--count 10] [--intervals 3,0.5] [--release]
set -euo pipefail
cd "$(dirname "$0")/.."
COUNT=10
INTERVALS=3,0.5
CONFIG=debug
while [ $# -gt 0 ]; do
    case "$1" in
        --count) COUNT=$2; shift 2 ;;
        --intervals) INTERVALS=$2; shift 2 ;;
        --release) CONFIG=release; shift ;;
        *) echo "usage: bench/sync.sh [--count 10] [--intervals 3,0.5] [--release]" >&2; exit 2 ;;
    esac
done
swift build -c "$CONFIG" --product orange >&2
ORANGE=$(swift build -c "$CONFIG" --show-bin-path)/orange
. bench/machine.sh

work=$(mktemp -d)
trap 'kill $(cat "$work/pid" 2>/dev/null) 2>/dev/null || true; rm -rf "$work"' EXIT
export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@orange.invalid GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@orange.invalid
git init -q --bare -b main "$work/code.git"
git clone -q "$work/code.git" "$work/seed" 2>/dev/null
git -C "$work/seed" commit -q --allow-empty -m initial && git -C "$work/seed" push -q origin HEAD:main
git init -q --bare -b main "$work/tasks.git"
for m in a b; do
    git clone -q "$work/code.git" "$work/code-$m"
    ORANGE_HOME=$work/$m ORANGE_MACHINE_ID=$m "$ORANGE" project add "$work/code-$m" --name bench > /dev/null
    ORANGE_HOME=$work/$m ORANGE_MACHINE_ID=$m "$ORANGE" sync init --remote "$work/tasks.git" > /dev/null
done
now() { date +%s%N; }

echo "| --sync-interval | transitions | median | p90 | max |"
echo "|---|---|---|---|---|"
IFS=, read -ra intervals <<< "$INTERVALS"
for interval in "${intervals[@]}"; do
    ids=()
    for i in $(seq 1 "$COUNT"); do
        ids+=("$(ORANGE_HOME=$work/a ORANGE_MACHINE_ID=a "$ORANGE" task create "s$interval-$i" "bench" --hold --json -p bench \
            | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["task"]["id"])')")
    done
    ORANGE_HOME=$work/a ORANGE_MACHINE_ID=a "$ORANGE" sync now > /dev/null
    : > "$work/watch.log"
    (cd "$work/code-b" && ORANGE_HOME=$work/b ORANGE_MACHINE_ID=b exec "$ORANGE" watch --json --sync-interval "$interval" > "$work/watch.log" 2>&1) &
    echo $! > "$work/pid"
    until ORANGE_HOME=$work/b "$ORANGE" watch sync --timeout 5 > /dev/null 2>&1; do sleep 0.05; done
    for id in "${ids[@]}"; do until grep -q "\"id\":\"$id\"" "$work/watch.log"; do sleep 0.01; done; done
    delays=()
    for id in "${ids[@]}"; do
        ORANGE_HOME=$work/a ORANGE_MACHINE_ID=a "$ORANGE" task update "$id" --status cancelled > /dev/null
        ORANGE_HOME=$work/a ORANGE_MACHINE_ID=a "$ORANGE" sync now > /dev/null
        pushed=$(now)
        until grep -q "\"id\":\"$id\".*\"to\":\"cancelled\"" "$work/watch.log"; do sleep 0.005; done
        delays+=($(( ($(now) - pushed) / 1000000 )))
    done
    kill "$(cat "$work/pid")"; wait "$(cat "$work/pid")" 2>/dev/null || true
    sorted=($(printf '%s\n' "${delays[@]}" | sort -n))
    n=${#sorted[@]}
    echo "| $interval s | $n | ${sorted[$((n / 2))]} ms | ${sorted[$((n * 9 / 10))]} ms | ${sorted[$((n - 1))]} ms |"
done
echo
echo "Measured $(date -u +%Y-%m-%d), $(machine_line | sed "s/release build/$CONFIG build/"), \`bench/sync.sh --count $COUNT --intervals $INTERVALS\`."
