@preconcurrency import Glibc
import OrangeCore

/// The process's own stdin, stdout and stderr, written with `write(2)` (no buffering surprises
/// when orange exits right after printing).
public enum StandardStreams {
    public static func writeOutput(_ text: String) { writeAll(1, text) }
    public static func writeError(_ text: String) { writeAll(2, text) }

    /// All of stdin as text. Bytes that are not UTF-8 are an error, never replaced by U+FFFD:
    /// what is stored must be what was given.
    public static func readAllInput() throws -> String {
        let bytes: [UInt8]
        do { bytes = try FileSystem.readBytes("/dev/stdin") } catch { throw StandardInputError(reason: "\(error)") }
        return try decodeUTF8(bytes)
    }

    /// `bytes` as text, or an error naming the offset of the first byte that is not UTF-8.
    public static func decodeUTF8(_ bytes: [UInt8]) throws(StandardInputError) -> String {
        if let text = String(validating: bytes, as: UTF8.self) { return text }
        var offset = 0
        var decoder = UTF8()
        var iterator = bytes.makeIterator()
        loop: while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar): offset += UTF8.width(scalar)
            case .emptyInput, .error: break loop
            }
        }
        throw StandardInputError(reason: "it is not valid UTF-8 (byte \(offset))")
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
        // Written from the string's own storage: a list's JSON is megabytes, not copied first.
        var text = text
        text.withUTF8 { writeAll(fd, UnsafeRawBufferPointer($0)) }
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

/// Standard input that could not be read or is not UTF-8 text.
public struct StandardInputError: Error, Sendable, CustomStringConvertible {
    public var reason: String
    public var description: String { "standard input could not be used: \(reason)" }
}
