# Sourced by the bench scripts: the machine and build a figure comes from, for the line above
# each table in docs/performance.md, and the writing of a table between its markers.
machine_line() {
    local cpus model memory fs
    cpus=$(nproc)
    model=$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)
    memory=$(awk '/MemTotal/ {printf "%d GiB", $2 / 1048576}' /proc/meminfo)
    fs=$(df -T /tmp | awk 'NR == 2 {print $2}')
    echo "${cpus} cores (${model:-unknown CPU}), ${memory}, Linux $(uname -r), /tmp on ${fs}, commit $(git rev-parse --short HEAD), release build"
}

# write_generated NAME TEXT: replaces what docs/performance.md holds between
# `<!-- generated:NAME -->` and `<!-- /generated:NAME -->` with TEXT.
write_generated() {
    GENERATED_NAME="$1" GENERATED_BODY="$2" /usr/bin/python3 - <<'PY'
import os, re
path = "docs/performance.md"
text = open(path).read()
name = os.environ["GENERATED_NAME"]
begin, end = f"<!-- generated:{name} -->", f"<!-- /generated:{name} -->"
body = os.environ["GENERATED_BODY"].strip()
text = re.sub(re.escape(begin) + ".*?" + re.escape(end), lambda m: f"{begin}\n{body}\n{end}", text, flags=re.S)
open(path, "w").write(text)
PY
    echo "docs/performance.md updated ($1)" >&2
}
