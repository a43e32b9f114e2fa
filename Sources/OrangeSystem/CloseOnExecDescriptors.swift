import Glibc

// Every descriptor orange makes is close-on-exec from the instant it exists, so none leaks into
// the agents, tmux servers and git processes it starts. Setting FD_CLOEXEC afterwards with
// `fcntl` is not enough: another thread may spawn a child between the two calls. (ProcessRunner
// also closes, in each child, whatever it finds without the flag; that listing races the same way.)

/// Opens `path` with `O_CLOEXEC` always added.
func openFile(_ path: String, _ flags: Int32, mode: mode_t = 0) throws(SystemError) -> Int32 {
    try retryingInterrupts("open", path: path) { open(path, flags | O_CLOEXEC, mode) }
}

/// A pipe whose two ends are close-on-exec (plus `flags`, such as `O_NONBLOCK`), made in one call.
func makePipe(flags: Int32 = 0) throws(SystemError) -> (read: Int32, write: Int32) {
    var ends: [Int32] = [-1, -1]
    try retryingInterrupts("pipe") { ends.withUnsafeMutableBufferPointer { pipe2Function($0.baseAddress, flags | O_CLOEXEC) } }
    return (ends[0], ends[1])
}

/// Accepts one connection on a listening socket, as a close-on-exec descriptor. EAGAIN when
/// none is waiting on a non-blocking socket.
func acceptConnection(_ fd: Int32) -> Result<Int32, Errno> {
    valueOrErrno { accept4Function(fd, nil, nil, Int32(SOCK_CLOEXEC.rawValue)) }
}

/// A second descriptor for the open file description `fd` (`dup` would drop close-on-exec).
func duplicateDescriptor(_ fd: Int32, path: String) throws(SystemError) -> Int32 {
    try retryingInterrupts("dup", path: path) { fcntl(fd, F_DUPFD_CLOEXEC, 0) }
}

// `pipe2` and `accept4` are GNU extensions the Glibc module does not export to Swift (it is built
// without _GNU_SOURCE), so they are looked up once in the C library itself. Both have been in
// glibc since 2.10, and the kernel since 2.6.28.

private typealias Pipe2 = @convention(c) (UnsafeMutablePointer<Int32>?, Int32) -> Int32
private typealias Accept4 =
    @convention(c) (Int32, UnsafeMutablePointer<sockaddr>?, UnsafeMutablePointer<socklen_t>?, Int32) -> Int32

private let pipe2Function: Pipe2 = unsafeBitCast(libcSymbol("pipe2"), to: Pipe2.self)
private let accept4Function: Accept4 = unsafeBitCast(libcSymbol("accept4"), to: Accept4.self)

private func libcSymbol(_ name: String) -> UnsafeMutableRawPointer {
    // A nil handle is RTLD_DEFAULT: the symbol as the program itself links it.
    guard let symbol = dlsym(nil, name) else { fatalError("the C library has no \(name)") }
    return symbol
}
