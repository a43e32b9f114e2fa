import Glibc

// The seam every libc call in OrangeSystem goes through: one place owns the EINTR loop and the
// errno capture, so no caller can forget either (a signal arriving during `write` must not turn
// into a failed save, and errno must be read before anything else can overwrite it). Shaped like
// swift-system's `valueOrErrno(retryOnInterrupt:)`.

/// The errno a failed system call left: the non-throwing form of a failure, for callers that
/// branch on it (EAGAIN, EWOULDBLOCK, EISCONN) rather than report it.
struct Errno: Error, Hashable, Sendable {
    var code: Int32
}

/// Runs a system call again while it fails with EINTR; returns its result or the errno it failed with.
///
/// `call` must return a negative value on failure with errno set (the usual libc contract).
func valueOrErrno<T: BinaryInteger>(_ call: () -> T) -> Result<T, Errno> {
    repeatingWhileInterrupted {
        let result = call()
        return result >= 0 ? result : nil
    }
}

/// Like `valueOrErrno`, for a call that waits at most a timeout (`poll`, `nanosleep`): `remaining`
/// is asked again before each attempt, so an interrupted wait resumes with the time left rather
/// than starting over (a stream of signals would otherwise stretch it without bound).
func valueOrErrno<T: BinaryInteger, Timeout>(remaining: () -> Timeout, _ call: (Timeout) -> T) -> Result<T, Errno> {
    valueOrErrno { call(remaining()) }
}

/// Runs a system call again while it fails with EINTR; returns its result or throws with errno.
///
/// `call` must return a negative value on failure with errno set (the usual libc contract).
@discardableResult
func retryingInterrupts<T: BinaryInteger>(_ operation: String, path: String? = nil, _ call: () -> T) throws(SystemError) -> T {
    try valueOrErrno(call).mapError { SystemError(operation, path: path, errno: $0.code) }.get()
}

/// Like `retryingInterrupts`, for calls that report failure with a nil pointer (`opendir`, `fdopendir`).
func retryingInterruptsUntilNonNil<T>(_ operation: String, path: String? = nil, _ call: () -> T?) throws(SystemError) -> T {
    try repeatingWhileInterrupted(call).mapError { SystemError(operation, path: path, errno: $0.code) }.get()
}

/// `poll(2)` on `fds` until `deadline` (nil waits without limit), retried on EINTR with the time
/// that remains. Returns the number of ready entries, 0 once the deadline has passed.
func pollRetryingInterrupts(_ fds: inout [pollfd], until deadline: PollLoop.Deadline?) -> Result<Int32, Errno> {
    let count = nfds_t(fds.count)
    return valueOrErrno(remaining: { deadline.map { $0.pollTimeoutMilliseconds(from: .now()) } ?? -1 }) { timeout in
        poll(&fds, count, timeout)
    }
}

/// Closes a descriptor, ignoring EINTR: on Linux the descriptor is released even when `close`
/// is interrupted, so retrying could close a descriptor another thread has just been given.
func closeDescriptor(_ fd: Int32) {
    _ = close(fd)
}

/// The one EINTR loop: `call` returns nil on failure with errno set.
private func repeatingWhileInterrupted<T>(_ call: () -> T?) -> Result<T, Errno> {
    while true {
        if let result = call() { return .success(result) }
        let code = errno
        if code != EINTR { return .failure(Errno(code: code)) }
    }
}
