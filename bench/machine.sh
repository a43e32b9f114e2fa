# Sourced by the bench scripts: the machine and build a figure comes from, for the line above
# each table in docs/performance.md.
machine_line() {
    local cpus model memory fs
    cpus=$(nproc)
    model=$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)
    memory=$(awk '/MemTotal/ {printf "%d GiB", $2 / 1048576}' /proc/meminfo)
    fs=$(df -T /tmp | awk 'NR == 2 {print $2}')
    echo "${cpus} cores (${model:-unknown CPU}), ${memory}, Linux $(uname -r), /tmp on ${fs}, commit $(git rev-parse --short HEAD), release build"
}
