/// A TASK.md cut into its front matter lines and its body.
struct FrontmatterSplit {
    /// The lines between the opening and closing `---`, without their line breaks.
    /// `lines[i]` is line `i + 2` of the file.
    var lines: [[Unicode.Scalar]]
    /// Everything after the closing `---` line's line break, untouched.
    var body: String
}

/// Finds the `---` fences. Works on Unicode scalars, not Characters: `\r\n` is one Character
/// in Swift, and slicing a String by Characters could merge a body's first combining mark
/// into the fence; scalar indices keep the body byte for byte.
enum FrontmatterSplitter {
    static func split(_ text: String) throws(FrontmatterError) -> FrontmatterSplit {
        let view = text.unicodeScalars
        var index = view.startIndex
        // A byte order mark is an encoding artefact, not content; editors on some systems add it.
        if index < view.endIndex && view[index] == "\u{FEFF}" { index = view.index(after: index) }
        var lines: [[Unicode.Scalar]] = []
        var isFirst = true
        while true {
            var line: [Unicode.Scalar] = []
            var hadBreak = false
            // YAML line breaks are \n, \r\n and a lone \r.
            while index < view.endIndex {
                let c = view[index]
                index = view.index(after: index)
                if c == "\n" { hadBreak = true; break }
                if c == "\r" {
                    if index < view.endIndex && view[index] == "\n" { index = view.index(after: index) }
                    hadBreak = true
                    break
                }
                line.append(c)
            }
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
                return FrontmatterSplit(lines: lines, body: String(view[index...]))
            } else {
                lines.append(line)
            }
            if !hadBreak {
                throw FrontmatterError(line: 1, reason: "front matter is not closed by a '---' line")
            }
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
