import Dispatch
@preconcurrency import Glibc
import OrangeCore
import Synchronization

/// Runs programs with `posix_spawnp` and `waitpid`, never `Foundation.Process` (which hangs when
/// a child such as `tmux new-session` leaves a daemon holding its exit-detection socket).
///
/// The child gets: stdin from `/dev/null` (or the given input through a pipe), stdout and
/// stderr through pipes drained while it runs, an empty signal mask with default dispositions,
/// and its own process group so a timeout can end it and everything it started.
public struct ProcessRunner: ProcessRunning {
    /// Output beyond this many bytes per stream is dropped (and noted), so a runaway child
    /// cannot exhaust memory.
    public var outputLimit: Int

    public init(outputLimit: Int = 16 * 1024 * 1024) {
        self.outputLimit = outputLimit
    }

    /// The programs this process is running now, and since when (monotonic nanoseconds).
    private static let running = Mutex<[pid_t: (argv: [String], since: UInt64)]>([:])

    /// The programs this process is running now, longest first, with how many seconds each has
    /// run: the engine says them when a `watch sync` waits long (a git or tmux that hangs).
    public static func runningPrograms() -> [(commandLine: String, seconds: Double)] {
        let now = SystemClock().monotonicNanoseconds()
        return running.withLock { $0.values.sorted { $0.since < $1.since } }
            .map { (ShellQuoting.commandLine($0.argv), Double(now &- $0.since) / 1e9) }
    }

    public func run(_ argv: [String], environment: [String: String], input: String?, timeoutSeconds: Double?) throws -> ProcessResult {
        precondition(!argv.isEmpty, "argv must name a program")
        let clock = SystemClock()
        let output = try Pipe()
        let errors = try Pipe()
        let stdin = input == nil ? nil : try Pipe()

        let pid = try spawn(argv, environment: environment, stdout: output.write, stderr: errors.write, stdin: stdin?.read)
        Self.running.withLock { $0[pid] = (argv, clock.monotonicNanoseconds()) }
        defer { _ = Self.running.withLock { $0.removeValue(forKey: pid) } }
        output.closeWrite()
        errors.closeWrite()
        stdin?.closeRead()
        if let stdin, let input {
            // A writer thread, so a child that prints before reading can never deadlock with us.
            let bytes = Array(input.utf8)
            let fd = stdin.write
            stdin.disownWrite()
            DispatchQueue.global().async {
                _ = try? AtomicFile.writeAll(fd, bytes, path: "stdin")
                close(fd)
            }
        }

        var collected = [CollectedStream(fd: output.read), CollectedStream(fd: errors.read)]
        let deadline = timeoutSeconds.map { clock.monotonicNanoseconds() + UInt64($0 * 1e9) }
        var status: Int32?
        var timedOut = false
        var killedAt: UInt64?
        while status == nil || collected.contains(where: { $0.open }) {
            var fds = collected.filter(\.open).map { pollfd(fd: $0.fd, events: Int16(POLLIN), revents: 0) }
            let wait: Int32 = status == nil ? 20 : 50
            let ready = fds.isEmpty ? 0 : poll(&fds, nfds_t(fds.count), wait)
            if fds.isEmpty && status == nil { usleep(2000) }
            if ready > 0 {
                for pfd in fds where pfd.revents != 0 {
                    let index = collected.firstIndex { $0.fd == pfd.fd }!
                    collected[index].readAvailable(limit: outputLimit)
                }
            }
            if status == nil {
                var raw: Int32 = 0
                switch valueOrErrno({ waitpid(pid, &raw, WNOHANG) }) {
                case .success(let result): if result == pid { status = raw }
                case .failure: status = 0
                }
            } else if ready == 0 {
                // The child is gone and its pipes stay quiet: a grandchild (a daemon) may hold
                // them open forever, so stop reading rather than hang.
                break
            }
            if status == nil, let deadline {
                let now = clock.monotonicNanoseconds()
                if now >= deadline && killedAt == nil {
                    timedOut = true
                    killedAt = now
                    kill(-pid, SIGTERM)
                } else if let killedAt, now >= killedAt + 2_000_000_000 {
                    kill(-pid, SIGKILL)
                }
            }
        }
        for stream in collected where stream.open { close(stream.fd) }
        let raw = status ?? 0
        let exitCode = Self.exitCode(ofWaitStatus: raw)
        return ProcessResult(
            argv: argv, exitCode: exitCode, stdout: collected[0].text, stderr: collected[1].text, timedOut: timedOut)
    }

    /// Runs with the terminal's own stdin, stdout and stderr (for `tmux attach`); returns the exit code.
    public func runInteractive(_ argv: [String], environment: [String: String] = [:]) throws -> Int32 {
        let pid = try spawn(argv, environment: environment, stdout: nil, stderr: nil, stdin: nil, inheritStdin: true, ownGroup: false)
        var raw: Int32 = 0
        _ = valueOrErrno { waitpid(pid, &raw, 0) }
        return Self.exitCode(ofWaitStatus: raw)
    }

    /// The exit code a `waitpid` status says: the program's own, or 128 + the signal that ended
    /// it, as a shell reports it.
    static func exitCode(ofWaitStatus raw: Int32) -> Int32 {
        (raw & 0x7F) == 0 ? (raw >> 8) & 0xFF : 128 + (raw & 0x7F)
    }

    func spawn(
        _ argv: [String], environment: [String: String], stdout: Int32?, stderr: Int32?, stdin: Int32?,
        inheritStdin: Bool = false, ownGroup: Bool = true
    ) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if let stdin {
            posix_spawn_file_actions_adddup2(&actions, stdin, 0)
        } else if !inheritStdin {
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        }
        if let stdout { posix_spawn_file_actions_adddup2(&actions, stdout, 1) }
        if let stderr { posix_spawn_file_actions_adddup2(&actions, stderr, 2) }
        // Everything orange opens is close-on-exec, but a descriptor inherited from whoever
        // started orange may not be; closing those here keeps them out of agents and tmux servers
        // (there is no closefrom action visible to Swift).
        for name in (try? FileSystem.listDirectory("/proc/self/fd")) ?? [] {
            guard let fd = Int32(name), fd > 2 else { continue }
            let flags = fcntl(fd, F_GETFD)
            if flags >= 0 && flags & FD_CLOEXEC == 0 { posix_spawn_file_actions_addclose(&actions, fd) }
        }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGINT, SIGTERM, SIGPIPE, SIGHUP, SIGQUIT, SIGCHLD] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var flags = Int32(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF)
        if ownGroup {
            flags |= Int32(POSIX_SPAWN_SETPGROUP)
            posix_spawnattr_setpgroup(&attributes, 0)
        }
        posix_spawnattr_setflags(&attributes, Int16(flags))

        var merged = ProcessEnvironment.current()
        for (key, value) in environment { merged[key] = value }
        var envp: [UnsafeMutablePointer<CChar>?] = merged.map { key, value in strdup("\(key)=\(value)") }
        envp.append(nil)
        var args: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) }
        args.append(nil)
        defer {
            for pointer in envp { free(pointer) }
            for pointer in args { free(pointer) }
        }
        var pid: pid_t = 0
        let result = posix_spawnp(&pid, argv[0], &actions, &attributes, args, envp)
        guard result == 0 else {
            let reason = result == ENOENT ? "not found in PATH" : SystemError.message(for: result)
            throw ProcessError.spawnFailed(argv: argv, errno: result, reason: reason)
        }
        return pid
    }
}

/// A pipe whose both ends are close-on-exec, so only the dup2'd copy reaches the child.
private final class Pipe {
    let read: Int32
    let write: Int32
    private var readOpen = true
    private var writeOpen = true

    init() throws {
        (read, write) = try makePipe()
    }

    func closeWrite() { if writeOpen { close(write); writeOpen = false } }
    func closeRead() { if readOpen { close(read); readOpen = false } }
    /// Someone else (the stdin writer thread) now owns the write end.
    func disownWrite() { writeOpen = false }

    deinit {
        closeRead()
        closeWrite()
    }
}

/// Bytes read so far from one of the child's output pipes.
private struct CollectedStream {
    let fd: Int32
    var bytes: [UInt8] = []
    var open = true
    var truncated = false

    init(fd: Int32) { self.fd = fd }

    mutating func readAvailable(limit: Int) {
        var buffer = [UInt8](repeating: 0, count: 65536)
        switch valueOrErrno({ buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) } }) {
        case .success(let n) where n > 0:
            let room = max(0, limit - bytes.count)
            bytes.append(contentsOf: buffer[0..<min(n, room)])
            if n > room { truncated = true }
        case .success: open = false  // end of file
        case .failure(let error): if error.code != EAGAIN { open = false }
        }
    }

    var text: String {
        String(decoding: bytes, as: UTF8.self) + (truncated ? "\n[output truncated]\n" : "")
    }
}
