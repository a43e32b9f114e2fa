import Glibc

/// What the `orange` process does to itself: signal dispositions, its exit, its own id.
public enum ProcessControl {
    /// This process's id.
    public static var currentID: Int32 { getpid() }

    /// A closed pipe (a reader that went away) must be an error from `write`, not a silent death.
    public static func ignoreBrokenPipes() { signal(SIGPIPE, SIG_IGN) }

    /// Run by an agent in its tmux session: ending the session must not cut a command short.
    public static func ignoreHangUp() { signal(SIGHUP, SIG_IGN) }

    /// Whether the descriptor (0 stdin, 1 stdout) is a terminal.
    public static func isTerminal(_ fd: Int32) -> Bool { isatty(fd) == 1 }

    public static func exit(_ code: Int32) -> Never { Glibc.exit(code) }

    /// The test hook of the crash tests: with `ORANGE_CRASH_AT=<name>` in `environment`, the
    /// process kills itself with SIGKILL when it reaches the point of that name.
    public static func crashPoint(_ name: String, environment: [String: String]) {
        if environment["ORANGE_CRASH_AT"] == name { kill(getpid(), SIGKILL) }
    }
}

/// The signal numbers a full-screen program reacts to.
public enum TerminalSignals {
    public static let interrupt = SIGINT
    public static let terminate = SIGTERM
    public static let hangUp = SIGHUP
    /// The terminal was resized.
    public static let resize = SIGWINCH
}
