import Dispatch
import Glibc
import OrangeTestSupport
import Synchronization
import Testing

@testable import OrangeSystem

/// The syscall seam: EINTR is retried in one place, a wait resumes with the time it has left, and
/// every descriptor orange makes is close-on-exec from the start.
@Suite struct SyscallTests {
    /// A call that fails like libc: returns -1 with errno set, `failures` times, then succeeds.
    private final class FlakyCall {
        var failures: [Int32]
        var calls = 0

        init(failing failures: [Int32]) { self.failures = failures }

        func callAsFunction() -> Int32 {
            calls += 1
            guard !failures.isEmpty else { return 7 }
            errno = failures.removeFirst()
            return -1
        }
    }

    @Test func anInterruptedCallIsRepeatedUntilItSucceeds() throws {
        let call = FlakyCall(failing: [EINTR, EINTR])
        #expect(valueOrErrno { call() } == .success(7))
        #expect(call.calls == 3)

        let thrown = FlakyCall(failing: [EINTR, EINTR])
        #expect(try retryingInterrupts("read") { thrown() } == 7)
        #expect(thrown.calls == 3)
    }

    @Test func anyOtherFailureEndsAtOnceWithItsErrno() {
        let call = FlakyCall(failing: [EINTR, EAGAIN])
        #expect(valueOrErrno { call() } == .failure(Errno(code: EAGAIN)))
        #expect(call.calls == 2)

        let thrown = FlakyCall(failing: [EIO])
        #expect(throws: SystemError("write", path: "/x", errno: EIO)) { try retryingInterrupts("write", path: "/x") { thrown() } }
        #expect(thrown.calls == 1)
    }

    @Test func aNilPointerCallIsRepeatedOnlyWhileInterrupted() throws {
        let call = FlakyCall(failing: [EINTR])
        #expect(try retryingInterruptsUntilNonNil("opendir") { call() < 0 ? nil : "entries" } == "entries")
        #expect(call.calls == 2)

        let failing = FlakyCall(failing: [EACCES])
        #expect(throws: SystemError("opendir", path: "/y", errno: EACCES)) {
            try retryingInterruptsUntilNonNil("opendir", path: "/y") { failing() < 0 ? nil : "entries" }
        }
    }

    /// Each attempt asks for the time that remains, so a retry never starts the wait over.
    @Test func eachAttemptOfATimedCallGetsTheRemainingTime() {
        let call = FlakyCall(failing: [EINTR, EINTR])
        var left: Int32 = 300
        var timeouts: [Int32] = []
        let result = valueOrErrno(
            remaining: {
                defer { left -= 100 }
                return left
            }
        ) { timeout in
            timeouts.append(timeout)
            return call()
        }
        #expect(result == .success(7))
        #expect(timeouts == [300, 200, 100])
    }

    /// Real signals every few milliseconds: the poll and the sleep still end when their time is
    /// up. Restarting the full timeout on each interrupt would keep them waiting while the
    /// signals last (seconds).
    @Test func signalsNeitherEndAWaitEarlyNorStretchIt() throws {
        let pipe = try makePipe()
        defer {
            closeDescriptor(pipe.read)
            closeDescriptor(pipe.write)
        }
        // On a loaded machine the sender's thread may not run at all during one 200 ms wait; such
        // a wait proves nothing, so it is tried again until one was interrupted.
        let polled = try interruptedAttempt {
            var entries = [pollfd(fd: pipe.read, events: Int16(POLLIN), revents: 0)]
            #expect(pollRetryingInterrupts(&entries, until: .after(milliseconds: 200)) == .success(0))
        }
        #expect(polled.interrupts > 0)
        #expect(polled.seconds >= 0.2 && polled.seconds < 3, "\(polled.seconds)s")

        let slept = try interruptedAttempt { SystemClock().sleep(milliseconds: 200) }
        #expect(slept.interrupts > 0)
        #expect(slept.seconds >= 0.2 && slept.seconds < 3, "\(slept.seconds)s")
    }

    /// Each way orange makes a descriptor leaves it close-on-exec, so no agent, tmux server or git
    /// inherits it even when another thread spawns at that very moment.
    @Test func everyDescriptorOrangeMakesIsCloseOnExec() throws {
        try withTemporaryDirectory { dir in
            let file = try openFile(dir + "/f", O_RDWR | O_CREAT, mode: 0o600)
            defer { closeDescriptor(file) }
            let copy = try duplicateDescriptor(file, path: dir + "/f")
            defer { closeDescriptor(copy) }
            let pipe = try makePipe(flags: O_NONBLOCK)
            defer {
                closeDescriptor(pipe.read)
                closeDescriptor(pipe.write)
            }
            let waker = try PollWaker()
            let inotify = try InotifyInstance()
            let (listener, client, accepted) = try connectedSockets()
            defer { [listener, client, accepted].forEach(closeDescriptor) }
            let descriptors = [
                file, copy, pipe.read, pipe.write, waker.readFD, waker.writeFD, inotify.fileDescriptor, listener, client, accepted,
            ]
            for fd in descriptors {
                #expect(fcntl(fd, F_GETFD) & FD_CLOEXEC != 0, "descriptor \(fd)")
            }
            #expect(fcntl(pipe.read, F_GETFL) & O_NONBLOCK != 0 && fcntl(waker.writeFD, F_GETFL) & O_NONBLOCK != 0)
        }
    }

    /// A listening abstract socket, a client connected to it, and the connection it accepted.
    private func connectedSockets() throws -> (listener: Int32, client: Int32, accepted: Int32) {
        let listener = try SingleInstanceClaim.newSocket()
        var address = try SingleInstanceClaim.AbstractAddress("orange-test/\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try retryingInterrupts("bind") { address.withPointer { bind(listener, $0, $1) } }
        try retryingInterrupts("listen") { listen(listener, 4) }
        let client = try SingleInstanceClaim.newSocket()
        try retryingInterrupts("connect") { address.withPointer { connect(client, $0, $1) } }
        let accepted = try acceptConnection(listener).mapError { SystemError("accept", errno: $0.code) }.get()
        return (listener, client, accepted)
    }
}

/// Runs `body` on this thread while another thread sends it SIGUSR1 every 5 ms (for at most 5 s);
/// returns how long `body` took and how many signals reached this thread.
/// `whileSignalled`, up to ten times, until a signal interrupted the call at least once.
private func interruptedAttempt(_ body: () throws -> Void) throws -> (seconds: Double, interrupts: Int) {
    var result = try whileSignalled(body)
    for _ in 1..<10 where result.interrupts == 0 { result = try whileSignalled(body) }
    return result
}

private func whileSignalled(_ body: () throws -> Void) throws -> (seconds: Double, interrupts: Int) {
    installInterruptCounter()
    var unblock = sigset_t()
    sigemptyset(&unblock)
    sigaddset(&unblock, SIGUSR1)
    var previousMask = sigset_t()
    pthread_sigmask(SIG_UNBLOCK, &unblock, &previousMask)
    defer { pthread_sigmask(SIG_SETMASK, &previousMask, nil) }

    let target = pthread_self()
    let sender = SignalSender()
    let before = interruptsDelivered.load(ordering: .relaxed)
    let start = PollLoop.Deadline.now()
    DispatchQueue.global().async {
        let giveUp = PollLoop.Deadline.after(milliseconds: 5000)
        while !sender.stopping.load(ordering: .acquiring) && !giveUp.hasPassed {
            pthread_kill(target, SIGUSR1)
            usleep(5000)
        }
        sender.finished.signal()
    }
    defer {
        sender.stopping.store(true, ordering: .releasing)
        sender.finished.wait()
    }
    try body()
    let seconds = Double(PollLoop.Deadline.now().nanoseconds - start.nanoseconds) / 1e9
    return (seconds, interruptsDelivered.load(ordering: .relaxed) - before)
}

private final class SignalSender: Sendable {
    let stopping = Atomic<Bool>(false)
    let finished = DispatchSemaphore(value: 0)
}

private let interruptsDelivered = Atomic<Int>(0)
private let interruptCounterInstalled = Mutex(false)

/// A SIGUSR1 handler that only counts, without SA_RESTART, so the signal interrupts the call.
/// It stays installed: a signal still in flight when a test ends must find a handler, and
/// children get the default disposition back when they exec.
private func installInterruptCounter() {
    interruptCounterInstalled.withLock { installed in
        guard !installed else { return }
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { _ in interruptsDelivered.add(1, ordering: .relaxed) }
        sigemptyset(&action.sa_mask)
        action.sa_flags = 0
        sigaction(SIGUSR1, &action, nil)
        installed = true
    }
}
