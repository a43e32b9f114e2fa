import Glibc
import OrangeCore

/// A failed system call: which operation, on which path, and the errno, as one readable line
/// (`open /x/TASK.md: Permission denied`).
public struct SystemError: Error, Hashable, Sendable, CustomStringConvertible {
    public var operation: String
    public var path: String?
    public var errno: Int32

    public init(_ operation: String, path: String? = nil, errno: Int32) {
        self.operation = operation
        self.path = path
        self.errno = errno
    }

    /// Captures the calling thread's errno right away, before anything can overwrite it.
    public static func current(_ operation: String, path: String? = nil) -> SystemError {
        SystemError(operation, path: path, errno: Glibc.errno)
    }

    public var description: String {
        "\(operation)\(path.map { " \($0)" } ?? ""): \(SystemError.message(for: errno))"
    }

    /// `strerror_r` into a local buffer, so threads never share one (`strerror` is not thread-safe).
    public static func message(for code: Int32) -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard strerror_r(code, &buffer, buffer.count) == 0 else { return "error \(code)" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
