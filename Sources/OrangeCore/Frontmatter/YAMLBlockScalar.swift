/// Block scalars: literal (`|`) and folded (`>`), with chomping (`-` strip, `+` keep, default
/// clip) and an optional indentation indicator digit, in either order (`|2-`, `|-2`).
extension FrontmatterParser {
    enum Chomping {
        case strip, clip, keep
    }

    /// A block scalar whose header (`|` or `>`) is at `lines[row][column]`.
    mutating func readBlockScalar(key: String, column: Int, parentIndent: Int) throws(FrontmatterError) -> YAMLValue {
        let header = lines[row]
        let literal = header[column] == "|"
        var chomping = Chomping.clip
        var indicator: Int?
        var sawChomping = false
        var i = column + 1
        while i < header.count {
            let c = header[i]
            if (c == "-" || c == "+") && !sawChomping {
                chomping = c == "-" ? .strip : .keep
                sawChomping = true
            } else if c.value >= 49 && c.value <= 57 && indicator == nil {
                indicator = Int(c.value - 48)
            } else if c == "0" && indicator == nil {
                throw failure(row, "the indentation indicator of '\(key)' must be 1 to 9, not 0")
            } else {
                break
            }
            i += 1
        }
        let rest = Self.skipWhite(header, from: i)
        if rest < header.count && !(header[rest] == "#" && rest > i) {
            throw failure(
                row,
                "unexpected text after the block scalar header '\(YAMLScalarRules.string(header[column..<i]))' "
                    + "of '\(key)': the text goes on the following lines, indented")
        }
        let headerRow = row
        let indent = try contentIndent(key: key, from: headerRow + 1, parentIndent: parentIndent, indicator: indicator)
        // nil marks an empty line; content lines have the indentation removed.
        var content: [[Unicode.Scalar]?] = []
        var r = headerRow + 1
        while r < lines.count {
            let line = lines[r]
            let lead = Self.leadingSpaces(line)
            if lead >= indent {
                content.append(lead == line.count && lead == indent ? nil : Array(line[indent...]))
            } else if Self.isBlank(line) {
                content.append(nil)
            } else {
                break
            }
            r += 1
        }
        row = r
        let lastText = content.lastIndex { $0 != nil }
        var text: [Unicode.Scalar] = []
        if let lastText {
            text = literal ? Self.literalText(content[...lastText]) : Self.foldedText(content[...lastText])
        }
        switch chomping {
        case .strip:
            break
        case .clip:
            if lastText != nil { text.append("\n") }
        case .keep:
            if lastText != nil { text.append("\n") }
            let trailing = content.count - (lastText.map { $0 + 1 } ?? 0)
            text.append(contentsOf: repeatElement("\n" as Unicode.Scalar, count: trailing))
        }
        return .string(YAMLScalarRules.string(text))
    }

    /// The content indentation: parent + indicator, or that of the first non-empty line.
    private func contentIndent(
        key: String, from start: Int, parentIndent: Int, indicator: Int?
    ) throws(FrontmatterError) -> Int {
        if let indicator { return parentIndent + indicator }
        var widestBlank = 0
        var r = start
        while r < lines.count {
            let line = lines[r]
            let lead = Self.leadingSpaces(line)
            if lead == line.count {
                widestBlank = max(widestBlank, lead)
                r += 1
                continue
            }
            if lead <= parentIndent { break }
            if widestBlank > lead {
                throw failure(
                    r,
                    "a blank line at the start of the block scalar of '\(key)' has more spaces than "
                        + "its first line of text; add an indentation indicator such as '|\(lead - parentIndent)'")
            }
            return lead
        }
        // No text: every line up to the next key is an empty line of the (empty) scalar.
        return max(widestBlank, parentIndent + 1)
    }

    private static func literalText(_ lines: ArraySlice<[Unicode.Scalar]?>) -> [Unicode.Scalar] {
        var text: [Unicode.Scalar] = []
        for (n, line) in lines.enumerated() {
            if n > 0 { text.append("\n") }
            if let line { text.append(contentsOf: line) }
        }
        return text
    }

    /// YAML 1.2 folding: a break between two normal text lines becomes a space, or disappears
    /// when blank lines follow it (each blank line is a `\n`); breaks next to more-indented lines
    /// (starting with a space or tab) are kept, and so are leading blank lines.
    private static func foldedText(_ lines: ArraySlice<[Unicode.Scalar]?>) -> [Unicode.Scalar] {
        var text: [Unicode.Scalar] = []
        var previousWasNormal: Bool?  // nil until the first text line
        var empties = 0
        for line in lines {
            guard let line else {
                empties += 1
                continue
            }
            let isNormal = !(line.first.map(YAMLScalarRules.isWhite) ?? false)
            let newlines: Int
            if let previous = previousWasNormal {
                if previous && isNormal {
                    newlines = empties
                    if empties == 0 { text.append(" ") }
                } else {
                    newlines = empties + 1
                }
            } else {
                newlines = empties
            }
            text.append(contentsOf: repeatElement("\n" as Unicode.Scalar, count: newlines))
            text.append(contentsOf: line)
            previousWasNormal = isNormal
            empties = 0
        }
        return text
    }
}
