@preconcurrency import Glibc

/// A child left running, whose standard output is read line by line as it comes: the watchers
/// `orange-bench peers` compares. Standard error goes to a file, so it can never block the child.
public final class RunningProcess {
    public let pid: pid_t
    /// The read end of the child's stdout, non-blocking and close-on-exec.
    public let output: Int32
    private var pending: [UInt8] = []
    private var exited = false

    public init(_ argv: [String], environment: [String: String], errorLog: String) throws {
        let fds = try makePipe()
        // Only the read end is non-blocking: the write end becomes the child's stdout.
        _ = fcntl(fds.read, F_SETFL, fcntl(fds.read, F_GETFL) | O_NONBLOCK)
        let log = try? openFile(errorLog, O_WRONLY | O_CREAT | O_TRUNC, mode: 0o644)
        defer {
            close(fds.write)
            if let log { close(log) }
        }
        do {
            pid = try ProcessRunner().spawn(argv, environment: environment, stdout: fds.write, stderr: log, stdin: nil)
        } catch {
            close(fds.read)
            throw error
        }
        output = fds.read
    }

    deinit {
        terminate()
        close(output)
    }

    /// Complete lines that arrived within `milliseconds` (0: only those already there).
    public func readLines(waitingUpTo milliseconds: Int32) -> [String] {
        var entry = pollfd(fd: output, events: Int16(POLLIN), revents: 0)
        guard poll(&entry, 1, milliseconds) > 0 else { return [] }
        var buffer = [UInt8](repeating: 0, count: 65536)
        while case .success(let n) = valueOrErrno({ buffer.withUnsafeMutableBytes { read(output, $0.baseAddress, $0.count) } }), n > 0 {
            pending.append(contentsOf: buffer[0..<n])
        }
        var lines: [String] = []
        while let newline = pending.firstIndex(of: 10) {
            lines.append(String(decoding: pending[..<newline], as: UTF8.self))
            pending.removeSubrange(...newline)
        }
        return lines
    }

    /// Reads the child's stdout to its end and throws it away, as a pipe into `wc -c` would (large
    /// reads into one buffer), then waits for the child. Returns its exit code (128 + the signal
    /// when a signal ended it) and how many bytes it wrote. A benchmark timing a command whose
    /// output is megabytes measures the command so, not its own way of keeping the text.
    public func drainOutputAndWait() -> (exitCode: Int32, bytes: Int) {
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        var total = 0
        var entry = pollfd(fd: output, events: Int16(POLLIN), revents: 0)
        reading: while true {
            switch valueOrErrno({ buffer.withUnsafeMutableBytes { read(output, $0.baseAddress, $0.count) } }) {
            case .success(0): break reading
            case .success(let n): total += n
            case .failure(let error) where error.code == EAGAIN: _ = valueOrErrno { poll(&entry, 1, -1) }
            case .failure: break reading
            }
        }
        var status: Int32 = 0
        _ = valueOrErrno { waitpid(pid, &status, 0) }
        exited = true
        return (ProcessRunner.exitCode(ofWaitStatus: status), total)
    }

    /// User plus system CPU seconds so far, from /proc.
    public var cpuSeconds: Double {
        guard let stat = try? FileSystem.readText("/proc/\(pid)/stat"), let close = stat.lastIndex(of: ")") else { return 0 }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // After the command name: state is field 3, utime 14 and stime 15 (1-based in proc(5)).
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// Peak resident set size in MiB (VmHWM).
    public var peakResidentMegabytes: Double { statusMegabytes("VmHWM:") }

    /// Resident set size now, in MiB (VmRSS).
    public var residentMegabytes: Double { statusMegabytes("VmRSS:") }

    private func statusMegabytes(_ field: String) -> Double {
        let status = (try? FileSystem.readText("/proc/\(pid)/status")) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix(field) } ?? ""
        return Double(line.split(separator: " ").dropFirst().first ?? "0").map { $0 / 1024 } ?? 0
    }

    public func signal(_ signo: Int32) { if !exited { kill(pid, signo) } }

    /// SIGTERM, then SIGKILL after a second; reaps the child.
    public func terminate() {
        guard !exited else { return }
        kill(pid, SIGTERM)
        var status: Int32 = 0
        for _ in 0..<100 {
            if waitpid(pid, &status, WNOHANG) == pid { exited = true; return }
            usleep(10_000)
        }
        kill(pid, SIGKILL)
        _ = waitpid(pid, &status, 0)
        exited = true
    }
}
