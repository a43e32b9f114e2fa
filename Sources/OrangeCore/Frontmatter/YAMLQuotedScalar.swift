/// Single- and double-quoted scalars, possibly spanning lines.
///
/// Line folding follows YAML: white space around a line break is dropped, a single break
/// becomes a space, and each blank line becomes a `\n`. In double quotes, escaped white space
/// is kept and a `\` at the end of a line joins the lines with nothing in between.
extension FrontmatterParser {
    struct QuotedScalar {
        var text: String
        /// Where the closing quote was, and the column just after it.
        var endRow: Int
        var endColumn: Int
    }

    func readQuoted(key: String, startRow: Int, column: Int) throws(FrontmatterError) -> QuotedScalar {
        let quote = lines[startRow][column]
        let double = quote == "\""
        var out: [Unicode.Scalar] = []
        // out[..<keep] survives a line break; literal white space after it is trimmed there.
        var keep = 0
        var r = startRow
        var i = column + 1
        var isFirstLine = true
        var breaks = 0
        var escapedBreak = false
        while r < lines.count {
            let line = lines[r]
            if !isFirstLine {
                i = Self.skipWhite(line, from: 0)
                if i == line.count {
                    breaks += 1
                    r += 1
                    continue
                }
                // Continuation lines must be indented; text at column 0 is the next key, and
                // the likely mistake is a missing closing quote.
                if i == 0 { break }
                let newlines = escapedBreak || breaks > 1 ? breaks - 1 : 0
                if !escapedBreak && breaks == 1 { out.append(" ") }
                out.append(contentsOf: repeatElement("\n" as Unicode.Scalar, count: newlines))
                keep = out.count
                breaks = 0
                escapedBreak = false
            }
            isFirstLine = false
            while i < line.count {
                let c = line[i]
                if c == quote {
                    if !double && i + 1 < line.count && line[i + 1] == "'" {
                        out.append("'")
                        keep = out.count
                        i += 2
                        continue
                    }
                    return QuotedScalar(text: YAMLScalarRules.string(out), endRow: r, endColumn: i + 1)
                }
                if double && c == "\\" {
                    if i + 1 == line.count {
                        escapedBreak = true
                        keep = out.count
                        i += 1
                        break
                    }
                    let (scalar, width) = try decodeEscape(line, at: i, row: r, key: key)
                    out.append(scalar)
                    keep = out.count
                    i += width
                    continue
                }
                out.append(c)
                if !YAMLScalarRules.isWhite(c) { keep = out.count }
                i += 1
            }
            out.removeSubrange(keep...)
            breaks = 1
            r += 1
        }
        let kind = double ? "double-quoted" : "single-quoted"
        throw failure(
            startRow, "unterminated \(kind) value of '\(key)': no closing \(double ? "\"" : "'") before the end of the front matter")
    }

    /// Decodes the escape starting with the backslash at `line[i]`; returns the scalar and how
    /// many characters the escape took.
    private func decodeEscape(
        _ line: [Unicode.Scalar], at i: Int, row r: Int, key: String
    ) throws(FrontmatterError) -> (Unicode.Scalar, Int) {
        let e = line[i + 1]
        let simple: Unicode.Scalar?
        switch e {
        case "0": simple = "\u{0}"
        case "a": simple = "\u{7}"
        case "b": simple = "\u{8}"
        case "t", "\t": simple = "\t"
        case "n": simple = "\n"
        case "v": simple = "\u{B}"
        case "f": simple = "\u{C}"
        case "r": simple = "\r"
        case "e": simple = "\u{1B}"
        case " ": simple = " "
        case "\"": simple = "\""
        case "/": simple = "/"
        case "\\": simple = "\\"
        case "N": simple = "\u{85}"
        case "_": simple = "\u{A0}"
        case "L": simple = "\u{2028}"
        case "P": simple = "\u{2029}"
        default: simple = nil
        }
        if let simple { return (simple, 2) }
        let digits: Int
        switch e {
        case "x": digits = 2
        case "u": digits = 4
        case "U": digits = 8
        default:
            throw failure(r, "unknown escape '\\\(e)' in the double-quoted value of '\(key)'")
        }
        var value: UInt32 = 0
        var k = i + 2
        while k < i + 2 + digits {
            guard k < line.count, let d = hexValue(line[k]) else {
                let written = YAMLScalarRules.string(line[i..<min(line.count, i + 2 + digits)])
                throw failure(
                    r,
                    "invalid escape '\(written)' in the double-quoted value of '\(key)': "
                        + "expected \(digits) hexadecimal digits")
            }
            value = value << 4 | d
            k += 1
        }
        guard let scalar = Unicode.Scalar(value) else {
            let written = YAMLScalarRules.string(line[i..<k])
            throw failure(r, "escape '\(written)' in the value of '\(key)' is not a valid Unicode character")
        }
        return (scalar, 2 + digits)
    }

    private func hexValue(_ c: Unicode.Scalar) -> UInt32? {
        switch c.value {
        case 48...57: return c.value - 48
        case 65...70: return c.value - 55
        case 97...102: return c.value - 87
        default: return nil
        }
    }
}
