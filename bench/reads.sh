#!/usr/bin/env bash
# The commands of issue 18 as a user runs them (the whole process), on the same tree, with no
# engine (every command reads the tree) and then with `orange watch` running and answering them,
# side by side in one run; writes the table between the `generated:reads` markers of
# docs/performance.md. Called by bench/run.sh; alone: bench/reads.sh [--sizes 1000,10000]
set -euo pipefail
cd "$(dirname "$0")/.."

SIZES=1000,10000,100000
while [ $# -gt 0 ]; do
    case "$1" in
        --sizes) SIZES=$2; shift 2 ;;
        *) echo "usage: bench/reads.sh [--sizes 1000,10000,100000]" >&2; exit 2 ;;
    esac
done

swift build -c release --product orange
swift build -c release --product orange-bench
BIN=$(swift build -c release --show-bin-path)

. bench/machine.sh
header="Measured $(date -u +%Y-%m-%d), $(machine_line), \`bench/reads.sh --sizes $SIZES\`."

echo "orange-bench: reads" >&2
table=$("$BIN/orange-bench" reads --sizes "$SIZES" --orange "$BIN/orange")

write_generated reads "$header

$table"
