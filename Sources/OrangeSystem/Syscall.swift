import Glibc

// The seam every libc call in OrangeSystem goes through: one place owns the EINTR loop and the
// errno capture, so no caller can forget either (a signal arriving during `write` must not turn
// into a failed save, and errno must be read before anything else can overwrite it).

/// Runs a system call again while it fails with EINTR; returns its result or throws with errno.
///
/// `call` must return a negative value on failure with errno set (the usual libc contract).
@discardableResult
func retryingInterrupts<T: BinaryInteger>(_ operation: String, path: String? = nil, _ call: () -> T) throws(SystemError) -> T {
    while true {
        let result = call()
        if result >= 0 { return result }
        let code = errno
        if code == EINTR { continue }
        throw SystemError(operation, path: path, errno: code)
    }
}

/// Like `retryingInterrupts`, for calls that report failure with a nil pointer (`opendir`, `fdopendir`).
func retryingInterruptsUntilNonNil<T>(_ operation: String, path: String? = nil, _ call: () -> T?) throws(SystemError) -> T {
    while true {
        if let result = call() { return result }
        let code = errno
        if code == EINTR { continue }
        throw SystemError(operation, path: path, errno: code)
    }
}

/// Closes a descriptor, ignoring EINTR: on Linux the descriptor is released even when `close`
/// is interrupted, so retrying could close a descriptor another thread has just been given.
func closeDescriptor(_ fd: Int32) {
    _ = close(fd)
}

/// Opens `path` with `O_CLOEXEC` always added, so no descriptor leaks into the agents, tmux
/// servers and git processes orange starts.
func openFile(_ path: String, _ flags: Int32, mode: mode_t = 0) throws(SystemError) -> Int32 {
    try retryingInterrupts("open", path: path) { open(path, flags | O_CLOEXEC, mode) }
}
