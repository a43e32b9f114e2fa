#!/usr/bin/env bash
# Regenerates the figures in docs/performance.md, on this machine, in one run:
#   1. orange-bench            the engine pipeline in process, at each size (start-up, edit → graph, RSS)
#   2. orange-bench decode     the cost of decoding one TASK.md, stage by stage, on one thread
#      orange-bench list       wall time of `orange task list --ready --json --all` at each size,
#                              and the real `orange watch`'s start-up and memory
#   3. orange-bench peers      orange watch next to inotifywait, watchdog, watchfiles, chokidar and
#                              stat pollers, over the same tree and the same edits
#   4. orange-bench memory     the real `orange watch` on a tree with 2-6 KB of notes per task:
#                              start-up and memory (with --baseline BIN, an older build beside it)
#   5. bench/reads.sh          task list --ready --json, show, update --description and create
#                              --blocked-by as a user runs them, with no engine and with one running
#   6. bench/dashboard.sh      the dashboard in a tmux pane: start to first screen, key to redraw,
#                              with no engine and with one running
# It installs the peers it compares with (Debian packages, watchdog and watchfiles from PyPI) when they
# are missing. Usage: bench/run.sh [--sizes 1000,10000,100000] [--rounds 200] [--baseline BIN]
set -euo pipefail
cd "$(dirname "$0")/.."

SIZES=1000,10000,100000
ROUNDS=200
BASELINE=()
while [ $# -gt 0 ]; do
    case "$1" in
        --sizes) SIZES=$2; shift 2 ;;
        --rounds) ROUNDS=$2; shift 2 ;;
        --baseline) BASELINE=(--baseline "$2"); shift 2 ;;
        *) echo "usage: bench/run.sh [--sizes 1000,10000,100000] [--rounds 200] [--baseline BIN]" >&2; exit 2 ;;
    esac
done

PYTHON=/usr/bin/python3
need=()
command -v inotifywait >/dev/null || need+=(inotify-tools)
[ -x "$PYTHON" ] || need+=(python3)
"$PYTHON" -m pip --version >/dev/null 2>&1 || need+=(python3-pip)
command -v node >/dev/null || need+=(nodejs)
NODE_PATH=/usr/share/nodejs node -e "require('chokidar')" 2>/dev/null || need+=(node-chokidar)
command -v taskset >/dev/null || need+=(util-linux)
command -v tmux >/dev/null || need+=(tmux)
if [ ${#need[@]} -gt 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
"$PYTHON" -c 'import watchdog.observers, watchfiles' 2>/dev/null \
    || "$PYTHON" -m pip install --quiet --break-system-packages watchdog watchfiles

swift build -c release --product orange
swift build -c release --product orange-bench
BIN=$(swift build -c release --show-bin-path)

. bench/machine.sh
cpus=$(nproc)
header="$(date -u +%Y-%m-%d), $(machine_line)"
writer_cpu=0
watcher_cpu=$((cpus > 1 ? cpus - 1 : 0))

echo "orange-bench: scale" >&2
scale=$("$BIN/orange-bench" --sizes "$SIZES" --edits 300)
echo "orange-bench: decode" >&2
decode=$("$BIN/orange-bench" decode)
echo "orange-bench: list" >&2
list=$("$BIN/orange-bench" list --sizes "$SIZES" --orange "$BIN/orange")
echo "orange-bench: peers" >&2
peers=$(ORANGE_BENCH_PYTHON=$PYTHON ORANGE_BENCH_WATCHER_CPU=$watcher_cpu taskset -c $writer_cpu \
    "$BIN/orange-bench" peers --rounds "$ROUNDS" --orange "$BIN/orange")
echo "orange-bench: memory" >&2
memory=$("$BIN/orange-bench" memory --sizes "$SIZES" --rounds 2 --orange "$BIN/orange" "${BASELINE[@]}")

export header scale decode list peers memory
"$PYTHON" - <<'PY'
import os, re
path = "docs/performance.md"
text = open(path).read()
for name in ("header", "scale", "decode", "list", "peers", "memory"):
    begin, end = f"<!-- generated:{name} -->", f"<!-- /generated:{name} -->"
    body = os.environ[name].strip()
    if name == "header":
        body = "Measured " + body + "."
    text = re.sub(re.escape(begin) + ".*?" + re.escape(end), lambda m: f"{begin}\n{body}\n{end}", text, flags=re.S)
open(path, "w").write(text)
PY
echo "docs/performance.md updated" >&2
bench/reads.sh --sizes "$SIZES"
bench/dashboard.sh --sizes "$SIZES"
