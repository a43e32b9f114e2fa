#!/usr/bin/env bash
# The dashboard of issue 18 as a user sees it: `orange dashboard` in a real tmux pane on a private
# server, from its start to the first screen with tasks, and from a `j` (send-keys) to the screen
# redrawn (capture-pane polled until it changes), with no engine and with `orange watch` running;
# writes the table between the `generated:dashboard` markers of docs/performance.md. Called by
# bench/run.sh; alone: bench/dashboard.sh [--sizes 1000,10000] [--orange BIN] (another build's
# binary, for a before/after; the table then names it)
set -euo pipefail
cd "$(dirname "$0")/.."

SIZES=1000,10000,100000
ORANGE=
while [ $# -gt 0 ]; do
    case "$1" in
        --sizes) SIZES=$2; shift 2 ;;
        --orange) ORANGE=$2; shift 2 ;;
        *) echo "usage: bench/dashboard.sh [--sizes 1000,10000,100000] [--orange BIN]" >&2; exit 2 ;;
    esac
done
command -v tmux >/dev/null || { echo "bench/dashboard.sh needs tmux" >&2; exit 1; }

swift build -c release --product orange
swift build -c release --product orange-bench
BIN=$(swift build -c release --show-bin-path)
ORANGE=${ORANGE:-$BIN/orange}

. bench/machine.sh
header="Measured $(date -u +%Y-%m-%d), $(machine_line), \`bench/dashboard.sh --sizes $SIZES\`"
[ "$ORANGE" = "$BIN/orange" ] || header="$header, orange binary \`$ORANGE\`"
header="$header; load before the run: $(uptime | sed 's/.*load average/load average/')."

echo "orange-bench: dashboard" >&2
table=$("$BIN/orange-bench" dashboard --sizes "$SIZES" --orange "$ORANGE")

write_generated dashboard "$header

$table"
