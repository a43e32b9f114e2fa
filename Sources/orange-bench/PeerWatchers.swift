import OrangeSystem

/// One file watcher under comparison: a command that prints a line per change it sees. Lines
/// name the changed path (peers) or the task id (orange's `watch --json`); the driver only needs
/// to find the task in the line.
struct PeerWatcher {
    var name: String
    var argv: [String]
    var environment: [String: String] = [:]
    /// Polling designs: their latency is the interval, so they get fewer rounds.
    var isPoller = false
    /// Whether stopping the process for the overflow scenario makes sense (a poller has no queue).
    var hasKernelQueue = true
    /// How to read its lines: which one shows a change finished (`PeerWatcher+Finished.swift`).
    var dialect: Dialect = .orange

    /// The watchers found on this machine, orange first; missing peers are reported, not fatal.
    static func available(root: String, orange: String, scripts: String) throws -> (found: [PeerWatcher], missing: [String]) {
        try AtomicFile.write(watchdogScript, to: scripts + "/watchdog_watch.py")
        try AtomicFile.write(watchfilesScript, to: scripts + "/watchfiles_watch.py")
        try AtomicFile.write(chokidarScript, to: scripts + "/chokidar_watch.js")
        try AtomicFile.write(pollerScript, to: scripts + "/stat_poller.py")
        let python = ProcessEnvironment.current()["ORANGE_BENCH_PYTHON"] ?? "python3"
        let tasks = root + "/tasks"
        var found = [
            PeerWatcher(
                name: "orange watch", argv: [orange, "watch", "--json", "--sweep-interval", "3600"],
                environment: ["ORANGE_HOME": root, "ORANGE_LOG_LEVEL": "warn"])
        ]
        var missing: [String] = []
        let runner = ProcessRunner()
        func works(_ argv: [String]) -> Bool {
            ((try? runner.run(argv, environment: [:], input: nil, timeoutSeconds: 30))?.exitCode ?? 1) == 0
        }
        if works(["inotifywait", "--help"]) || works(["which", "inotifywait"]) {
            found.append(
                PeerWatcher(
                    name: "inotifywait",
                    argv: [
                        "inotifywait", "-m", "-r", "-q", "-e", "modify,close_write,moved_to,moved_from,create,delete", "--format",
                        "%e %w%f", tasks,
                    ], dialect: .inotifywait))
        } else {
            missing.append("inotifywait (apt-get install inotify-tools)")
        }
        if works([python, "-c", "import watchdog.observers"]) {
            found.append(PeerWatcher(name: "watchdog", argv: [python, scripts + "/watchdog_watch.py", tasks], dialect: .watchdog))
        } else {
            missing.append("watchdog (apt-get install python3-watchdog)")
        }
        if works([python, "-c", "import watchfiles"]) {
            found.append(PeerWatcher(name: "watchfiles", argv: [python, scripts + "/watchfiles_watch.py", tasks], dialect: .watchfiles))
        } else {
            missing.append("watchfiles (pip install watchfiles)")
        }
        let nodePath = ProcessEnvironment.current()["NODE_PATH"] ?? "/usr/share/nodejs:/usr/lib/nodejs"
        if works(["env", "NODE_PATH=\(nodePath)", "node", "-e", "require('chokidar')"]) {
            found.append(
                PeerWatcher(
                    name: "chokidar", argv: ["node", scripts + "/chokidar_watch.js", tasks], environment: ["NODE_PATH": nodePath],
                    dialect: .chokidar))
        } else {
            missing.append("chokidar (apt-get install node-chokidar)")
        }
        if works([python, "-c", "pass"]) {
            for (label, interval) in [("stat poll 100 ms", "0.1"), ("stat poll 1 s", "1")] {
                found.append(
                    PeerWatcher(
                        name: label, argv: [python, scripts + "/stat_poller.py", tasks, interval], isPoller: true, hasKernelQueue: false,
                        dialect: .poller))
            }
        } else {
            missing.append("python3 (for watchdog, watchfiles and the stat pollers)")
        }
        return (found, missing)
    }

    static let watchdogScript = """
        import sys, time
        from watchdog.observers import Observer
        from watchdog.events import FileSystemEventHandler

        class Printer(FileSystemEventHandler):
            def on_any_event(self, event):
                if event.event_type in ("opened", "closed_no_write"):
                    return
                print(event.event_type, event.src_path, getattr(event, "dest_path", "") or "", flush=True)

        observer = Observer()
        observer.schedule(Printer(), sys.argv[1], recursive=True)
        observer.start()
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            observer.stop()

        """

    /// watchfiles with its defaults (debounce 1600 ms, step 50 ms): how it is used in practice.
    static let watchfilesScript = """
        import sys
        from watchfiles import watch

        for changes in watch(sys.argv[1]):
            for change, path in changes:
                print(change.name, path, flush=True)

        """

    static let chokidarScript = """
        const chokidar = require('chokidar');
        const watcher = chokidar.watch(process.argv[2], { ignoreInitial: true });
        watcher.on('all', (event, path) => process.stdout.write(event + ' ' + path + '\\n'));

        """

    /// The design orange replaces: list every TASK.md and compare (mtime, size, inode).
    static let pollerScript = """
        import os, sys, time

        def scan(base):
            found = {}
            for project in os.listdir(base):
                folder = os.path.join(base, project)
                if project.startswith(".") or not os.path.isdir(folder):
                    continue
                for task in os.listdir(folder):
                    path = os.path.join(folder, task, "TASK.md")
                    try:
                        st = os.stat(path)
                    except OSError:
                        continue
                    found[path] = (st.st_mtime_ns, st.st_size, st.st_ino)
            return found

        base, interval = sys.argv[1], float(sys.argv[2])
        previous = scan(base)
        while True:
            time.sleep(interval)
            current = scan(base)
            for path, stamp in current.items():
                if previous.get(path) != stamp:
                    print("changed", path, flush=True)
            for path in previous.keys() - current.keys():
                print("removed", path, flush=True)
            previous = current

        """
}
