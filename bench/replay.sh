#!/usr/bin/env bash
# The long run of the model-based replay (Tests/OrangeEndToEndTests/ModelReplayEndToEndTests.swift):
# thousands of random operations and engine kills per seed, checked after every step. Prints one
# line per seed (steps, time, outcome, the operations run) and the machine, for docs/reliability.md.
# A seed's whole output stays in $TMPDIR/orange-replay-<seed>.log; replay a failure with
#   ORANGE_REPLAY_SEED=<seed> ORANGE_REPLAY_STEPS=<step it failed at> swift test --filter ModelReplayEndToEndTests
# It uses the debug build (the test target imports modules @testable, which a release build of the
# tests does not allow without -enable-testing), and runs the test bundle itself rather than
# `swift test`, which holds the build folder's lock while it runs: several copies of this script
# (other seeds) can then run side by side, with --no-build for all but the first.
# Usage: bench/replay.sh [--steps 3000] [--seeds 1,2,3] [--no-build]
set -euo pipefail
cd "$(dirname "$0")/.."

STEPS=3000
SEEDS=1,2,3
BUILD=1
while [ $# -gt 0 ]; do
    case "$1" in
        --steps) STEPS=$2; shift 2 ;;
        --seeds) SEEDS=$2; shift 2 ;;
        --no-build) BUILD=0; shift ;;
        *) echo "usage: bench/replay.sh [--steps 3000] [--seeds 1,2,3] [--no-build]" >&2; exit 2 ;;
    esac
done
command -v tmux >/dev/null || { echo "bench/replay.sh: tmux is needed" >&2; exit 2; }

[ "$BUILD" = 1 ] && swift build --build-tests >&2
BUNDLE="$(swift build --show-bin-path)/orangePackageTests.xctest"

cpus=$(nproc)
model=$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)
memory=$(awk '/MemTotal/ {printf "%d GiB", $2 / 1048576}' /proc/meminfo)
echo "$(date -u +%Y-%m-%d), ${cpus} cores (${model:-unknown CPU}), ${memory}, Linux $(uname -r), commit $(git rev-parse --short HEAD), debug build, $STEPS steps per seed"

failed=0
for seed in ${SEEDS//,/ }; do
    log="${TMPDIR:-/tmp}/orange-replay-$seed.log"
    start=$(date +%s)
    if ORANGE_REPLAY_SEED=$seed ORANGE_REPLAY_STEPS=$STEPS "$BUNDLE" --testing-library swift-testing --filter ModelReplayEndToEndTests >"$log" 2>&1 \
        && grep -q "seed $seed: .* steps in" "$log"; then
        outcome=passed
        summary=$(grep -o "seed $seed: .*" "$log" | head -n 1)
    else
        outcome="FAILED (see $log)"
        summary=$(grep -m 1 -o "seed $seed step [0-9]* .*" "$log" || true)
        failed=1
    fi
    echo "seed $seed: $outcome in $(($(date +%s) - start)) s; ${summary#seed $seed: }"
done
exit $failed
