@preconcurrency import Glibc
import OrangeCore

/// The process's own stdin, stdout and stderr, written with `write(2)` (no buffering surprises
/// when orange exits right after printing).
public enum StandardStreams {
    public static func writeOutput(_ text: String) { writeAll(1, text) }
    public static func writeError(_ text: String) { writeAll(2, text) }

    public static func readAllInput() -> String {
        (try? FileSystem.readBytes("/dev/stdin")).map { String(decoding: $0, as: UTF8.self) } ?? ""
    }

    public static var isOutputTerminal: Bool { isatty(1) == 1 }

    /// Asks on the terminal and reads one line; false without a terminal on stdin.
    public static func confirm(_ question: String) -> Bool {
        guard isatty(0) == 1 else { return false }
        writeError(question)
        var answer: [UInt8] = []
        var byte: UInt8 = 0
        while read(0, &byte, 1) == 1, byte != 10 { answer.append(byte) }
        let text = String(decoding: answer, as: UTF8.self).trimmingSpaces().lowercased()
        return text == "y" || text == "yes"
    }

    static func writeAll(_ fd: Int32, _ text: String) {
        guard !text.isEmpty else { return }
        try? AtomicFile.writeAll(fd, Array(text.utf8), path: fd == 1 ? "stdout" : "stderr")
    }
}

/// The environment variables of this process.
public enum ProcessEnvironment {
    public static func current() -> [String: String] {
        var result: [String: String] = [:]
        var pointer = environ
        while let entry = pointer.pointee {
            let text = String(cString: entry)
            if let eq = text.firstIndex(of: "=") {
                result[String(text[..<eq])] = String(text[text.index(after: eq)...])
            }
            pointer += 1
        }
        return result
    }
}
