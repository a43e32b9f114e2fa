#!/usr/bin/env python3
"""`orange task list --ready --json` right after a write, with the engine running (issue 18).

Alternates binaries: for each pass and each binary, starts that binary's engine on the tree
(one engine at a time: two engines of 100,000 folders exceed one uid's inotify watches), waits
for it with `orange watch sync`, then for each round: an untimed `task update --description` of
a listed task then the list (timed), the same for a task not listed, then the list again (the
kept answer). The writes are timed apart (not in the lists' times). Each timed run is the whole
process, stdout a pipe read to its end. Prints the medians per binary and case, and `uptime` at
the start and the end.

  bench/list-after-write.py --home H --listed t50044 --unlisted t50001 \\
      [--uid 61001 --user-home /tmp/x] [--passes 2 --rounds 10] BIN...

With --uid, every orange runs as that uid through setpriv (the tree must be that uid's).
"""
import argparse
import os
import statistics
import subprocess
import sys
import time


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--home", required=True, help="ORANGE_HOME of a tree with one registered project")
    p.add_argument("--listed", required=True, help="a ready task (in the list)")
    p.add_argument("--unlisted", required=True, help="a task not in the list")
    p.add_argument("--uid", type=int)
    p.add_argument("--user-home", default=os.environ.get("HOME", "/tmp"))
    p.add_argument("--passes", type=int, default=2)
    p.add_argument("--rounds", type=int, default=10)
    p.add_argument("binaries", nargs="+")
    a = p.parse_args()

    env = dict(os.environ, HOME=a.user_home, ORANGE_HOME=a.home, ORANGE_ENGINE_READS="required")
    prefix = []
    if a.uid is not None:
        prefix = ["setpriv", f"--reuid={a.uid}", f"--regid={a.uid}", "--clear-groups"]

    def run(binary, *args, check=True):
        r = subprocess.run(prefix + [binary, *args], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        if check and r.returncode != 0:
            sys.exit(f"{binary} {' '.join(args)}: exit {r.returncode}: {r.stderr.decode()[-500:]}")

    def timed_list(binary):
        start = time.perf_counter()
        proc = subprocess.Popen(prefix + [binary, "task", "list", "--ready", "--json"], env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        size = 0
        while True:
            chunk = proc.stdout.read1(1 << 20)
            if not chunk:
                break
            size += len(chunk)
        proc.wait()
        elapsed = (time.perf_counter() - start) * 1000
        if proc.returncode != 0:
            # Not timed: with ORANGE_ENGINE_READS=required, an engine that did not answer in time.
            failures[binary] = failures.get(binary, 0) + 1
            return None, size
        return elapsed, size

    failures = {}
    cases = ["after a write to a listed task", "after a write to a task not listed", "again (kept)",
             "the write itself (`task update --description`)"]
    times = {(b, c): [] for b in a.binaries for c in cases}
    sizes = set()
    print("uptime at start:", subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip(), flush=True)
    counter = 0
    for pass_number in range(a.passes):
        for binary in a.binaries:
            engine = subprocess.Popen(prefix + [binary, "watch", "--sweep-interval", "3600"], env=env,
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            try:
                # Polled: `watch sync` fails until the engine has taken its lock.
                deadline = time.monotonic() + 300
                while True:
                    r = subprocess.run(prefix + [binary, "watch", "sync"], env=env, stdout=subprocess.DEVNULL,
                                       stderr=subprocess.PIPE)
                    if r.returncode == 0:
                        break
                    if time.monotonic() > deadline or engine.poll() is not None:
                        sys.exit(f"{binary} watch sync: {r.stderr.decode()[-500:]}")
                    time.sleep(0.2)
                # The first lists after the start-up warm the engine's pieces (not measured).
                for _ in range(2):
                    timed_list(binary)
                for _ in range(a.rounds):
                    for task, case in ((a.listed, cases[0]), (a.unlisted, cases[1])):
                        counter += 1
                        start = time.perf_counter()
                        run(binary, "task", "update", task, "--description", f"bench edit {os.getpid()}-{counter}")
                        times[(binary, cases[3])].append((time.perf_counter() - start) * 1000)
                        elapsed, size = timed_list(binary)
                        if elapsed is not None:
                            times[(binary, case)].append(elapsed)
                            sizes.add(size)
                    elapsed, size = timed_list(binary)
                    if elapsed is not None:
                        times[(binary, cases[2])].append(elapsed)
            finally:
                engine.terminate()
                engine.wait()
            print(f"pass {pass_number + 1}, {binary}: done", file=sys.stderr, flush=True)
    print("uptime at end:", subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip())
    print(f"list sizes (bytes): {sorted(sizes)}; lists not answered by the engine: {failures or 'none'}")
    print("| case | " + " | ".join(a.binaries) + " |")
    print("|---|" + "---|" * len(a.binaries))
    for case in cases:
        cells = []
        for b in a.binaries:
            xs = times[(b, case)]
            cells.append(f"{statistics.median(xs):.1f} ms ({min(xs):.0f}–{max(xs):.0f}, n={len(xs)})")
        print(f"| {case} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
