/// A one-pass reading of the front matter shapes orange writes, straight from the bytes, for the
/// engine's read of every TASK.md (docs/performance.md, section 5).
///
/// The full reader (`FrontmatterSplitter` and `FrontmatterParser`) turns each line into an array
/// of Unicode scalars and each value into a string through a second byte buffer: at 100,000 tasks
/// that was most of the start-up read. This scan accepts only a narrow, unambiguous subset, each
/// entry on its own line of printable ASCII:
///
/// - `key: value` with the key at column 0 (starting with a letter, a digit or `_`) and the colon
///   right after it;
/// - a value that is a single-quoted string without `''`, a double-quoted string without `\`, a
///   plain scalar that no next line continues, a flow list of such quoted items or of plain items
///   made of `[A-Za-z0-9_./-]`, or nothing (null), each ending its line;
/// - a closing fence that is exactly `---` and a line break.
///
/// For such a file it gives the entries the full reader gives; for anything else (a comment, a
/// blank line, a tab, a `\r`, a byte order mark, any byte beyond ASCII or below a space in the front
/// matter, a block scalar, a value over several lines, a duplicate key, every malformed line) it
/// gives nil, and the caller reads the file with the full reader, which also reports the errors.
/// `TaskFileDecodeOracleTests` hold the two equal.
enum FrontmatterQuickScan {
    struct Scan {
        /// The entries of orange's keys, by their position in `TaskRecord.knownKeys`.
        var known: [FrontmatterEntry?]
        /// The other entries, in file order.
        var extra: [FrontmatterEntry]
        /// Where the body starts: just after the closing fence's line break.
        var bodyStart: Int
    }

    private static let dash = UInt8(ascii: "-"), lf = UInt8(ascii: "\n"), space = UInt8(ascii: " ")
    private static let colon = UInt8(ascii: ":"), hash = UInt8(ascii: "#"), backslash = UInt8(ascii: "\\")
    private static let singleQuote = UInt8(ascii: "'"), doubleQuote = UInt8(ascii: "\"")
    private static let openBracket = UInt8(ascii: "["), closeBracket = UInt8(ascii: "]"), comma = UInt8(ascii: ",")

    static func scan(_ bytes: UnsafeBufferPointer<UInt8>) -> Scan? {
        guard bytes.count >= 4, bytes[0] == dash, bytes[1] == dash, bytes[2] == dash, bytes[3] == lf else { return nil }
        var known = [FrontmatterEntry?](repeating: nil, count: TaskRecord.knownKeys.count)
        var extra: [FrontmatterEntry] = []
        var lineStart = 4
        var lineNumber = 2
        var nextKey = 0
        while true {
            guard let lineEnd = printableLineEnd(bytes, from: lineStart) else { return nil }
            if lineEnd - lineStart == 3 && bytes[lineStart] == dash && bytes[lineStart + 1] == dash && bytes[lineStart + 2] == dash {
                return Scan(known: known, extra: extra, bodyStart: lineEnd + 1)
            }
            guard lineEnd > lineStart, isKeyStart(bytes[lineStart]) else { return nil }
            var keyEnd = lineStart
            while keyEnd < lineEnd && YAMLScalarRules.isKeyCharacter(Unicode.Scalar(bytes[keyEnd])) { keyEnd += 1 }
            guard keyEnd < lineEnd, bytes[keyEnd] == colon else { return nil }
            guard let value = readValue(bytes, from: keyEnd + 1, lineEnd: lineEnd) else { return nil }
            if let position = knownPosition(bytes, keyStart: lineStart, keyEnd: keyEnd, guess: nextKey) {
                guard known[position] == nil else { return nil }
                known[position] = FrontmatterEntry(key: TaskRecord.knownKeys[position], value: value, line: lineNumber)
                nextKey = position + 1
            } else {
                let key = string(bytes, lineStart, keyEnd)
                guard !extra.contains(where: { $0.key == key }) else { return nil }
                extra.append(FrontmatterEntry(key: key, value: value, line: lineNumber))
            }
            lineStart = lineEnd + 1
            lineNumber += 1
        }
    }

    /// The offset of the line break ending the line at `start`; nil when a byte before it is not
    /// printable ASCII (a tab, a `\r`, a control character, anything beyond ASCII) or there is none.
    private static func printableLineEnd(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        var index = start
        while index < bytes.count {
            let byte = bytes[index]
            if byte == lf { return index }
            guard byte >= 0x20 && byte <= 0x7E else { return nil }
            index += 1
        }
        return nil
    }

    /// A first character that makes the full reader take the line for a `key:` entry and
    /// nothing else (no indicator, comment, indentation or quote).
    private static func isKeyStart(_ byte: UInt8) -> Bool {
        isAlphanumeric(byte) || byte == UInt8(ascii: "_")
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (byte >= 48 && byte <= 57) || (byte >= 65 && byte <= 90) || (byte >= 97 && byte <= 122)
    }

    /// The value after `key:` (at `from`, the byte after the colon) when it ends on its line in
    /// one of the accepted shapes; nil otherwise.
    ///
    /// What follows the line never changes the value here: every line of an accepted front
    /// matter is a `key:` line or the closing fence, so nothing after the line can continue a
    /// value (that takes an indented or blank line), and `key:` with nothing after it is null.
    private static func readValue(_ bytes: UnsafeBufferPointer<UInt8>, from: Int, lineEnd: Int) -> YAMLValue? {
        if from == lineEnd { return .null }
        guard bytes[from] == space else { return nil }
        var start = from
        while start < lineEnd && bytes[start] == space { start += 1 }
        if start == lineEnd { return .null }
        switch bytes[start] {
        case singleQuote, doubleQuote:
            guard let end = quotedEnd(bytes, from: start, limit: lineEnd), end + 1 == lineEnd else { return nil }
            return .string(string(bytes, start + 1, end))
        case openBracket:
            return flowList(bytes, from: start, lineEnd: lineEnd)
        default:
            return plain(bytes, from: start, lineEnd: lineEnd)
        }
    }

    /// The offset of the quote closing the one at `start`, before `limit`: none for a
    /// double-quoted string with an escape, or a single-quoted one with a doubled quote.
    private static func quotedEnd(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, limit: Int) -> Int? {
        let quote = bytes[start]
        var index = start + 1
        while index < limit {
            let byte = bytes[index]
            if byte == quote {
                if quote == singleQuote && index + 1 < limit && bytes[index + 1] == singleQuote { return nil }
                return index
            }
            if quote == doubleQuote && byte == backslash { return nil }
            index += 1
        }
        return nil
    }

    /// A plain scalar on the key's line. Refused: a first character with a meaning in YAML, a
    /// comment, and a `:` the full reader takes for a nested map.
    private static func plain(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, lineEnd: Int) -> YAMLValue? {
        guard !Self.specialFirst.contains(bytes[start]) else { return nil }
        var end = lineEnd
        while end > start && bytes[end - 1] == space { end -= 1 }
        for index in start..<lineEnd {
            let byte = bytes[index]
            if byte == hash && bytes[index - 1] == space { return nil }
            if byte == colon && index < end && (index + 1 == end || bytes[index + 1] == space) { return nil }
        }
        let text = string(bytes, start, end)
        return YAMLScalarRules.isNullWord(text) ? .null : .plain(text)
    }

    /// First characters of a value that the full reader treats apart (indicators, quotes,
    /// comments, block scalars) or that could start an indicator (`-`, `?`, `:`).
    private static let specialFirst: [UInt8] = Array("&*!{}[]'\"|>-?:,%@`#".utf8)

    /// `[a, 'b', "c"]` on one line, closed on it with nothing after; items quoted as above or
    /// plain words of `[A-Za-z0-9_./-]` starting with a letter, a digit or `_`. An empty item or
    /// a trailing comma is left to the full reader.
    private static func flowList(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, lineEnd: Int) -> YAMLValue? {
        var index = skipSpaces(bytes, from: start + 1, limit: lineEnd)
        var items: [YAMLValue] = []
        if index < lineEnd && bytes[index] == closeBracket {
            return index + 1 == lineEnd ? .list(items) : nil
        }
        while index < lineEnd {
            let byte = bytes[index]
            if byte == singleQuote || byte == doubleQuote {
                guard let end = quotedEnd(bytes, from: index, limit: lineEnd) else { return nil }
                items.append(.string(string(bytes, index + 1, end)))
                index = end + 1
            } else if isKeyStart(byte) {
                let itemStart = index
                while index < lineEnd && isPlainItemCharacter(bytes[index]) { index += 1 }
                let text = string(bytes, itemStart, index)
                items.append(YAMLScalarRules.isNullWord(text) ? .null : .plain(text))
            } else {
                return nil
            }
            index = skipSpaces(bytes, from: index, limit: lineEnd)
            guard index < lineEnd else { return nil }
            if bytes[index] == closeBracket { return index + 1 == lineEnd ? .list(items) : nil }
            guard bytes[index] == comma else { return nil }
            index = skipSpaces(bytes, from: index + 1, limit: lineEnd)
        }
        return nil
    }

    private static func isPlainItemCharacter(_ byte: UInt8) -> Bool {
        isAlphanumeric(byte) || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".") || byte == dash || byte == UInt8(ascii: "/")
    }

    private static func skipSpaces(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, limit: Int) -> Int {
        var index = start
        while index < limit && bytes[index] == space { index += 1 }
        return index
    }

    /// The position in `TaskRecord.knownKeys` of the key in `bytes[keyStart..<keyEnd]`, trying
    /// `guess` first (orange writes the keys in that order).
    private static func knownPosition(_ bytes: UnsafeBufferPointer<UInt8>, keyStart: Int, keyEnd: Int, guess: Int) -> Int? {
        let keys = knownKeyBytes
        if guess < keys.count && equal(bytes, keyStart, keyEnd, keys[guess]) { return guess }
        for position in keys.indices where position != guess && equal(bytes, keyStart, keyEnd, keys[position]) {
            return position
        }
        return nil
    }

    private static let knownKeyBytes: [[UInt8]] = TaskRecord.knownKeys.map { Array($0.utf8) }

    private static func equal(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, _ key: [UInt8]) -> Bool {
        guard end - start == key.count else { return false }
        for offset in 0..<key.count where bytes[start + offset] != key[offset] { return false }
        return true
    }

    private static func string(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
    }
}
