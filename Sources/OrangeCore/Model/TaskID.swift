/// A task identifier: 1 to 64 characters of `[0-9A-Za-z]` (generated ids are 21 long).
///
/// Ids name folders and appear on command lines, so every id read from a file or typed by a
/// user goes through `init(validating:)` before it builds a path.
public struct TaskID: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let rawValue: String

    public static let generatedLength = 21
    public static let alphabet: [Character] = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")

    /// Accepts only safe ids; returns nil for anything that could escape a folder or a command line.
    public init?(validating text: String) {
        guard !text.isEmpty, text.utf8.count <= 64,
            text.utf8.allSatisfy({ ($0 >= 48 && $0 <= 57) || ($0 >= 65 && $0 <= 90) || ($0 >= 97 && $0 <= 122) })
        else { return nil }
        rawValue = text
    }

    /// A fresh id from the given random source (the system one in production, a seeded one in tests).
    public static func generate<R: RandomNumberGenerator>(using rng: inout R) -> TaskID {
        var text = ""
        for _ in 0..<generatedLength {
            text.append(alphabet[Int(rng.next(upperBound: UInt64(alphabet.count)))])
        }
        return TaskID(validating: text)!
    }

    public var description: String { rawValue }
    public static func < (a: TaskID, b: TaskID) -> Bool { a.rawValue < b.rawValue }
}
