/// Unquoted (plain) scalars: `key: some text`, continued on more-indented lines, and unquoted
/// items inside `[…]`.
extension FrontmatterParser {
    /// A plain scalar in block context. Continuation lines must be indented more than
    /// `parentIndent`; they fold like YAML: one line break becomes a space, each blank line a `\n`.
    mutating func readBlockPlain(
        key: String, column: Int, parentIndent: Int, context: YAMLNodeContext, onKeyLine: Bool
    ) throws(FrontmatterError) -> YAMLValue {
        let first = Self.plainSegment(lines[row], from: column)
        if Self.hasMappingColon(first.text) {
            throw failure(row, mappingColonReason(key: key, context: context, onKeyLine: onKeyLine))
        }
        var text = Array(first.text)
        var lastRow = row
        var endedByComment = first.endedByComment
        var r = row + 1
        var blanks = 0
        while !endedByComment && r < lines.count {
            let line = lines[r]
            if Self.isBlank(line) {
                blanks += 1
                r += 1
                continue
            }
            if Self.leadingSpaces(line) <= parentIndent { break }
            let start = Self.skipWhite(line, from: 0)
            if line[start] == "#" { break }
            let segment = Self.plainSegment(line, from: start)
            if Self.hasMappingColon(segment.text) {
                throw failure(r, mappingColonReason(key: key, context: context, onKeyLine: false))
            }
            if blanks == 0 {
                text.append(" ")
            } else {
                text.append(contentsOf: repeatElement("\n" as Unicode.Scalar, count: blanks))
            }
            text.append(contentsOf: segment.text)
            blanks = 0
            lastRow = r
            endedByComment = segment.endedByComment
            r += 1
        }
        row = lastRow + 1
        let string = YAMLScalarRules.string(text)
        return YAMLScalarRules.isNullWord(string) ? .null : .plain(string)
    }

    private func mappingColonReason(key: String, context: YAMLNodeContext, onKeyLine: Bool) -> String {
        switch context {
        case .listItem:
            return "list items that are maps are not supported in TASK.md front matter (key '\(key)')"
        case .mappingValue where onKeyLine:
            return "the value of '\(key)' contains ': ' (or ends with ':'), which YAML reads as a nested map; "
                + "put the value in quotes"
        case .mappingValue:
            return "nested maps are not supported in TASK.md front matter (key '\(key)')"
        }
    }

    /// The text of a plain scalar on one line from `from`: up to a comment (`#` after white
    /// space) or the end, without trailing white space.
    static func plainSegment(
        _ line: [Unicode.Scalar], from: Int
    ) -> (text: ArraySlice<Unicode.Scalar>, endedByComment: Bool) {
        var end = from
        var comment = false
        while end < line.count {
            if line[end] == "#" && end > from && YAMLScalarRules.isWhite(line[end - 1]) {
                comment = true
                break
            }
            end += 1
        }
        while end > from && YAMLScalarRules.isWhite(line[end - 1]) { end -= 1 }
        return (line[from..<end], comment)
    }

    /// An unquoted item inside `[…]`, starting at `lines[r][i]`. It ends at `,`, `]`, a comment
    /// or, when the next line starts with one of those, at the end of the line; otherwise it
    /// continues (folded) on the next line. Returns the value and where reading stopped.
    func readFlowPlain(
        key: String, row startRow: Int, column: Int, listRow: Int
    ) throws(FrontmatterError) -> (value: YAMLValue, row: Int, column: Int) {
        var text: [Unicode.Scalar] = []
        var r = startRow
        var i = column
        var blanks = -1  // -1: first segment, no fold before it
        while true {
            let line = lines[r]
            let start = i
            while i < line.count {
                let c = line[i]
                if YAMLScalarRules.isFlowIndicator(c) { break }
                if c == "#" && i > start && YAMLScalarRules.isWhite(line[i - 1]) { break }
                if c == ":"
                    && (i + 1 == line.count || YAMLScalarRules.isWhite(line[i + 1])
                        || YAMLScalarRules.isFlowIndicator(line[i + 1]))
                {
                    throw failure(r, "maps inside lists are not supported in TASK.md front matter (key '\(key)')")
                }
                i += 1
            }
            var end = i
            while end > start && YAMLScalarRules.isWhite(line[end - 1]) { end -= 1 }
            if blanks == 0 {
                text.append(" ")
            } else if blanks > 0 {
                text.append(contentsOf: repeatElement("\n" as Unicode.Scalar, count: blanks))
            }
            text.append(contentsOf: line[start..<end])
            if i < line.count {
                switch line[i] {
                case "[":
                    throw failure(r, "nested lists are not supported in TASK.md front matter (key '\(key)')")
                case "{":
                    throw failure(r, "flow maps ('{…}') are not supported in TASK.md front matter (key '\(key)')")
                case "#":
                    return (Self.plainValue(text), r, line.count)
                default:
                    return (Self.plainValue(text), r, i)
                }
            }
            // End of the line: the item continues only if the next text line goes on with it.
            var next = r + 1
            var skipped = 0
            while next < lines.count && Self.isBlank(lines[next]) {
                skipped += 1
                next += 1
            }
            guard next < lines.count else {
                throw failure(listRow, "the list of '\(key)' is not closed by ']'")
            }
            let nextLine = lines[next]
            let nextStart = Self.skipWhite(nextLine, from: 0)
            let c = nextLine[nextStart]
            if YAMLScalarRules.isFlowIndicator(c) || c == "#" || nextStart == 0 {
                return (Self.plainValue(text), r, line.count)
            }
            r = next
            i = nextStart
            blanks = skipped
        }
    }

    static func plainValue(_ text: [Unicode.Scalar]) -> YAMLValue {
        let string = YAMLScalarRules.string(text)
        return YAMLScalarRules.isNullWord(string) ? .null : .plain(string)
    }
}
