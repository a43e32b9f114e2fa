@preconcurrency import Glibc

/// The controlling terminal in full-screen raw mode: no echo, no line buffering, no signal keys
/// (Ctrl-C arrives as a byte), the alternate screen, the cursor hidden.
///
/// `restore()` puts back exactly the settings found at `enter()`, and is safe to call more than
/// once; the dashboard calls it on quit, on error, on SIGTERM/SIGHUP and before handing the
/// terminal to `tmux attach`.
public final class RawTerminal {
    public let input: Int32
    public let output: Int32
    private var saved = termios()
    private(set) public var isRaw = false

    public init(input: Int32 = 0, output: Int32 = 1) {
        self.input = input
        self.output = output
    }

    /// Whether both ends are terminals.
    public var isTerminal: Bool { isatty(input) == 1 && isatty(output) == 1 }

    public func enter() throws {
        guard !isRaw else { return }
        guard tcgetattr(input, &saved) == 0 else { throw SystemError.current("tcgetattr", path: "stdin") }
        var raw = saved
        raw.c_iflag &= ~tcflag_t(BRKINT | ICRNL | INPCK | ISTRIP | IXON)
        raw.c_oflag &= ~tcflag_t(OPOST)
        raw.c_cflag |= tcflag_t(CS8)
        raw.c_lflag &= ~tcflag_t(ECHO | ICANON | IEXTEN | ISIG)
        // read() returns whatever is there, or nothing: poll(2) does the waiting.
        withUnsafeMutableBytes(of: &raw.c_cc) { cc in
            cc[Int(VMIN)] = 0
            cc[Int(VTIME)] = 0
        }
        guard tcsetattr(input, TCSAFLUSH, &raw) == 0 else { throw SystemError.current("tcsetattr", path: "stdin") }
        isRaw = true
        // Alternate screen, cursor hidden, auto-wrap off (a full-width last column must not scroll).
        write("\u{1B}[?1049h\u{1B}[?25l\u{1B}[?7l\u{1B}[H\u{1B}[2J")
    }

    public func restore() {
        guard isRaw else { return }
        write("\u{1B}[0m\u{1B}[?7h\u{1B}[?25h\u{1B}[?1049l")
        _ = tcsetattr(input, TCSAFLUSH, &saved)
        isRaw = false
    }

    /// Columns and rows; 80x24 when the size cannot be read.
    public func size() -> (columns: Int, rows: Int) {
        var ws = winsize()
        if ioctl(output, UInt(TIOCGWINSZ), &ws) == 0, ws.ws_col > 0, ws.ws_row > 0 {
            return (Int(ws.ws_col), Int(ws.ws_row))
        }
        return (80, 24)
    }

    /// Reads the bytes waiting on input, after poll(2) said it is readable: nil when nothing
    /// came, which then means the terminal hung up.
    public func readAvailable() -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: 4096)
        switch valueOrErrno({ buffer.withUnsafeMutableBytes { Glibc.read(input, $0.baseAddress, $0.count) } }) {
        case .success(let n): return n > 0 ? Array(buffer[0..<n]) : nil
        case .failure(let error): return error.code == EAGAIN || error.code == EWOULDBLOCK ? [] : nil
        }
    }

    public func write(_ text: String) {
        try? AtomicFile.writeAll(output, Array(text.utf8), path: "terminal")
    }
}
