import Glibc
import Synchronization

/// A single-threaded wait over a set of descriptors plus a self-pipe, with a monotonic deadline.
///
/// This is the heart of `orange watch` (swift-style §4.2): one thread owns all watch state and
/// sleeps in `poll(2)` until the inotify descriptor is readable, another thread or a signal
/// handler writes to the self-pipe, or the reducer's next deadline passes. Not `Sendable`: the
/// loop belongs to that one thread; only its `waker` crosses threads.
public final class PollLoop {
    /// Wakes this loop from any thread or from a signal handler.
    public let waker: PollWaker

    public init() throws(PollLoopError) {
        waker = try PollWaker()
    }

    /// Waits until one of `fds` is readable, the loop is woken, or `deadline` passes
    /// (`nil` waits without limit). An interrupted wait resumes with the remaining time.
    public func wait(on fds: [Int32], until deadline: Deadline?) throws(PollLoopError) -> PollOutcome {
        var pollFDs = [pollfd(fd: waker.readFD, events: Int16(POLLIN), revents: 0)]
        for fd in fds { pollFDs.append(pollfd(fd: fd, events: Int16(POLLIN), revents: 0)) }
        let ready = try pollRetryingInterrupts(&pollFDs, until: deadline).mapError { PollLoopError.pollFailed(errno: $0.code) }.get()
        var outcome = PollOutcome()
        if ready == 0 {
            // poll's millisecond timeout is rounded up, so the deadline has really passed.
            outcome.timedOut = true
            return outcome
        }
        let wanted = Int16(POLLIN | POLLHUP | POLLERR | POLLNVAL)
        if pollFDs[0].revents & wanted != 0 {
            let drained = waker.drain()
            outcome.wakeups = drained.wakeups
            outcome.signals = drained.signals
        }
        outcome.readable = pollFDs.dropFirst().filter { $0.revents & wanted != 0 }.map(\.fd)
        return outcome
    }

    // MARK: - Signals

    /// Routes `signals` (SIGINT and SIGTERM by default) to `waker`: the handler only writes the
    /// signal number as one byte to the self-pipe, which is async-signal-safe; the loop then sees
    /// it in `PollOutcome.signals`. The waker is kept alive until `restoreDefaultSignalHandlers`.
    ///
    /// Call it from the loop's thread: the signals are also unblocked there, because threads
    /// made by Dispatch block them and a signal every thread blocks is never delivered.
    public static func installSignalHandlers(
        _ signals: [Int32] = [SIGINT, SIGTERM], waker: PollWaker
    ) throws(PollLoopError) {
        signalWakerHolder.withLock { $0 = waker }
        signalPipeWriteFD.store(waker.writeFD, ordering: .sequentiallyConsistent)
        for signo in signals {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { signo in
                let saved = errno
                let fd = signalPipeWriteFD.load(ordering: .relaxed)
                if fd >= 0 {
                    var byte = UInt8(truncatingIfNeeded: signo)
                    _ = write(fd, &byte, 1)
                }
                errno = saved
            }
            sigemptyset(&action.sa_mask)
            action.sa_flags = SA_RESTART
            if sigaction(signo, &action, nil) != 0 { throw .sigactionFailed(signal: signo, errno: errno) }
        }
        var unblock = sigset_t()
        sigemptyset(&unblock)
        for signo in signals { sigaddset(&unblock, signo) }
        pthread_sigmask(SIG_UNBLOCK, &unblock, nil)
    }

    /// Puts the default disposition back on `signals` and releases the waker.
    public static func restoreDefaultSignalHandlers(_ signals: [Int32] = [SIGINT, SIGTERM]) {
        for signo in signals {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = SIG_DFL
            sigemptyset(&action.sa_mask)
            _ = sigaction(signo, &action, nil)
        }
        signalPipeWriteFD.store(-1, ordering: .sequentiallyConsistent)
        signalWakerHolder.withLock { $0 = nil }
    }
}

/// The write end the signal handler uses; an atomic load is async-signal-safe, a lock is not.
private let signalPipeWriteFD = Atomic<Int32>(-1)
/// Keeps the installed waker's pipe open while a handler may still write to it.
private let signalWakerHolder = Mutex<PollWaker?>(nil)

/// What ended one `PollLoop.wait`.
public struct PollOutcome: Hashable, Sendable {
    /// The caller's descriptors that are readable (or hung up / in error: read them to find out).
    public var readable: [Int32] = []
    /// How many `wake()` calls were drained from the self-pipe.
    public var wakeups = 0
    /// Signal numbers delivered through the self-pipe, in arrival order.
    public var signals: [Int32] = []
    /// True when the deadline passed with nothing ready.
    public var timedOut = false

    public init() {}
}

/// Why the poll loop could not be set up or could not wait.
public enum PollLoopError: Error, Hashable, Sendable {
    case pipeFailed(errno: Int32)
    case pollFailed(errno: Int32)
    case sigactionFailed(signal: Int32, errno: Int32)
}

/// The self-pipe. Both ends are `O_NONBLOCK` and close-on-exec from the start.
///
/// `Sendable` without `@unchecked`: its only state is two immutable descriptors, and the pipe is
/// closed in `deinit`, when no thread can hold a reference any more.
public final class PollWaker: Sendable {
    let readFD: Int32
    let writeFD: Int32

    init() throws(PollLoopError) {
        do {
            (readFD, writeFD) = try makePipe(flags: O_NONBLOCK)
        } catch {
            throw .pipeFailed(errno: error.errno)
        }
    }

    deinit {
        _ = close(readFD)
        _ = close(writeFD)
    }

    /// Makes the loop's current or next `wait` return. Writes one zero byte; a full pipe (EAGAIN)
    /// already guarantees a wake-up, so that error is ignored.
    public func wake() {
        var byte: UInt8 = 0
        _ = valueOrErrno { write(writeFD, &byte, 1) }
    }

    /// Empties the pipe: zero bytes are wake-ups, other bytes are signal numbers.
    func drain() -> (wakeups: Int, signals: [Int32]) {
        var wakeups = 0
        var signals: [Int32] = []
        var bytes = [UInt8](repeating: 0, count: 256)
        while case .success(let n) = valueOrErrno({ bytes.withUnsafeMutableBytes { read(readFD, $0.baseAddress, $0.count) } }), n > 0 {
            for byte in bytes[0..<n] {
                if byte == 0 { wakeups += 1 } else { signals.append(Int32(byte)) }
            }
        }
        return (wakeups, signals)
    }
}

extension PollLoop {
    /// A point on the monotonic clock (`CLOCK_MONOTONIC`), immune to wall-clock changes.
    public struct Deadline: Hashable, Comparable, Sendable {
        public let nanoseconds: UInt64

        public init(nanoseconds: UInt64) { self.nanoseconds = nanoseconds }

        /// The current monotonic time.
        public static func now() -> Deadline {
            var ts = timespec()
            clock_gettime(CLOCK_MONOTONIC, &ts)
            return Deadline(nanoseconds: UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec))
        }

        /// `milliseconds` from now.
        public static func after(milliseconds: Int) -> Deadline {
            now().adding(milliseconds: milliseconds)
        }

        public func adding(milliseconds: Int) -> Deadline {
            Deadline(nanoseconds: nanoseconds + UInt64(max(0, milliseconds)) * 1_000_000)
        }

        /// True once the monotonic clock has reached this instant.
        public var hasPassed: Bool { Deadline.now() >= self }

        /// Milliseconds left for `poll`, rounded up so the loop never wakes just before the
        /// deadline and spins; 0 once passed; capped at `Int32.max`.
        public func pollTimeoutMilliseconds(from now: Deadline) -> Int32 {
            guard nanoseconds > now.nanoseconds else { return 0 }
            let millis = (nanoseconds - now.nanoseconds + 999_999) / 1_000_000
            return Int32(clamping: millis)
        }

        public static func < (a: Deadline, b: Deadline) -> Bool { a.nanoseconds < b.nanoseconds }
    }
}
