/// A TASK.md cut into its front matter lines and its body.
struct FrontmatterSplit {
    /// The lines between the opening and closing `---`, without their line breaks.
    /// `lines[i]` is line `i + 2` of the file.
    var lines: [[Unicode.Scalar]]
    /// Everything after the closing `---` line's line break, untouched.
    var body: String
}

/// Finds the `---` fences. Line breaks are found in the UTF-8 bytes (`\n` and `\r` never occur
/// inside a multi-byte sequence), and each front matter line becomes Unicode scalars, never
/// Characters: `\r\n` is one Character in Swift, and slicing by Characters could merge a
/// body's first combining mark into the fence. The body is cut at a byte offset that follows a
/// line break, so it is kept byte for byte.
enum FrontmatterSplitter {
    static func split(_ text: String) throws(FrontmatterError) -> FrontmatterSplit {
        var text = text
        // Native strings are contiguous UTF-8; this only copies a bridged or lazily decoded one.
        text.makeContiguousUTF8()
        let result = text.utf8.withContiguousStorageIfAvailable { bytes in
            Result { () throws(FrontmatterError) in try split(bytes: bytes) }
        }!
        return try result.get()
    }

    /// Splits valid UTF-8 bytes; without `keepingBody` the body is left empty (not copied).
    static func split(bytes: UnsafeBufferPointer<UInt8>, keepingBody: Bool = true) throws(FrontmatterError) -> FrontmatterSplit {
        let cr = UInt8(ascii: "\r"), lf = UInt8(ascii: "\n")
        var index = 0
        // A byte order mark is an encoding artefact, not content; editors on some systems add it.
        if bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF { index = 3 }
        var lines: [[Unicode.Scalar]] = []
        var isFirst = true
        while true {
            var hadBreak = false
            // YAML line breaks are \n, \r\n and a lone \r.
            let lineStart = index
            var lineEnd = bytes.count
            while index < bytes.count {
                let c = bytes[index]
                index += 1
                if c == lf || c == cr {
                    lineEnd = index - 1
                    if c == cr && index < bytes.count && bytes[index] == lf { index += 1 }
                    hadBreak = true
                    break
                }
            }
            let line = scalars(UnsafeBufferPointer(rebasing: bytes[lineStart..<lineEnd]))
            if isFirst {
                guard line.count >= 3, line[0] == "-", line[1] == "-", line[2] == "-" else {
                    throw FrontmatterError(line: 1, reason: "missing front matter: the file must start with '---'")
                }
                guard isFence(line) else {
                    throw FrontmatterError(line: 1, reason: "the opening '---' line must contain nothing after '---'")
                }
                isFirst = false
            } else if isFence(line) {
                try rejectForbiddenCharacters(lines)
                let body = keepingBody ? String(decoding: UnsafeBufferPointer(rebasing: bytes[index...]), as: UTF8.self) : ""
                return FrontmatterSplit(lines: lines, body: body)
            } else {
                lines.append(line)
            }
            if !hadBreak {
                throw FrontmatterError(line: 1, reason: "front matter is not closed by a '---' line")
            }
        }
    }

    /// The scalars of one line of valid UTF-8; ASCII (nearly every line) is widened directly.
    private static func scalars(_ bytes: UnsafeBufferPointer<UInt8>) -> [Unicode.Scalar] {
        guard bytes.allSatisfy({ $0 < 0x80 }) else {
            return Array(String(decoding: bytes, as: UTF8.self).unicodeScalars)
        }
        return Array(unsafeUninitializedCapacity: bytes.count) { buffer, initialized in
            for i in 0..<bytes.count { buffer.initializeElement(at: i, to: Unicode.Scalar(bytes[i])) }
            initialized = bytes.count
        }
    }

    /// `---` at column 0, optionally followed by spaces or tabs.
    static func isFence(_ line: [Unicode.Scalar]) -> Bool {
        line.count >= 3 && line[0] == "-" && line[1] == "-" && line[2] == "-"
            && line.dropFirst(3).allSatisfy(YAMLScalarRules.isWhite)
    }

    private static func rejectForbiddenCharacters(_ lines: [[Unicode.Scalar]]) throws(FrontmatterError) {
        for (row, line) in lines.enumerated() {
            if let bad = line.first(where: YAMLScalarRules.isForbiddenRaw) {
                throw FrontmatterError(
                    line: row + 2,
                    reason: "control character \(hex(bad)) is not allowed in front matter; "
                        + "write it as an escape inside a double-quoted string"
                )
            }
        }
    }

    /// `U+0007` style, for messages.
    static func hex(_ c: Unicode.Scalar) -> String {
        let digits = String(c.value, radix: 16, uppercase: true)
        return "U+" + String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}
