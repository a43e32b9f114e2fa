/// Flat lists: flow (`[a, 'b c', "d"]`, possibly over several lines) and block (`- a` lines).
/// Items are scalars only; a nested list or map is refused with its line.
extension FrontmatterParser {
    /// A flow list starting at `lines[row][column] == "["`.
    mutating func readFlowList(key: String, column: Int) throws(FrontmatterError) -> YAMLValue {
        let listRow = row
        var r = row
        var i = column + 1
        var items: [YAMLValue] = []
        var expectItem = true
        while true {
            (r, i) = try skipFlowSeparation(key: key, row: r, column: i, listRow: listRow)
            let line = lines[r]
            let c = line[i]
            switch c {
            case "]":
                try finishLine(key: key, row: r, column: i + 1, after: "the closing ']'")
                return .list(items)
            case ",":
                if expectItem {
                    throw failure(r, "empty item in the list of '\(key)' (a ',' with nothing before it)")
                }
                expectItem = true
                i += 1
            default:
                if !expectItem {
                    throw failure(r, "expected ',' or ']' between the items of '\(key)'")
                }
                let item = try readFlowItem(key: key, row: r, column: i, listRow: listRow)
                items.append(item.value)
                r = item.row
                i = item.column
                expectItem = false
            }
        }
    }

    /// Skips white space, comments and line breaks inside `[…]`; returns the next character's position.
    private func skipFlowSeparation(
        key: String, row startRow: Int, column: Int, listRow: Int
    ) throws(FrontmatterError) -> (Int, Int) {
        var r = startRow
        var i = column
        while r < lines.count {
            let line = lines[r]
            let start = i
            i = Self.skipWhite(line, from: i)
            if i < line.count && line[i] == "#" && (i == 0 || i > start || YAMLScalarRules.isWhite(line[i - 1])) {
                i = line.count
            }
            if i < line.count {
                // Continuation lines must be indented; only a closing ']' or ',' may sit at
                // column 0. Anything else there is the next key: the list was never closed.
                if r > listRow && i == 0 && line[0] != "]" && line[0] != "," {
                    throw failure(listRow, "the list of '\(key)' is not closed by ']'")
                }
                return (r, i)
            }
            r += 1
            i = 0
        }
        throw failure(listRow, "the list of '\(key)' is not closed by ']'")
    }

    private func readFlowItem(
        key: String, row r: Int, column i: Int, listRow: Int
    ) throws(FrontmatterError) -> (value: YAMLValue, row: Int, column: Int) {
        let line = lines[r]
        let c = line[i]
        let next: Unicode.Scalar? = i + 1 < line.count ? line[i + 1] : nil
        let indicatorUse = next.map { YAMLScalarRules.isWhite($0) || YAMLScalarRules.isFlowIndicator($0) } ?? true
        switch c {
        case "[":
            throw failure(r, "nested lists are not supported in TASK.md front matter (key '\(key)')")
        case "{":
            throw failure(r, "flow maps ('{…}') are not supported in TASK.md front matter (key '\(key)')")
        case "&":
            throw failure(r, "anchors ('\(Self.token(line, at: i))') are not supported in TASK.md front matter (key '\(key)')")
        case "*":
            throw failure(r, "aliases ('\(Self.token(line, at: i))') are not supported in TASK.md front matter (key '\(key)')")
        case "!":
            throw failure(r, "tags ('\(Self.token(line, at: i))') are not supported in TASK.md front matter (key '\(key)')")
        case "'", "\"":
            let quoted = try readQuoted(key: key, startRow: r, column: i)
            return (.string(quoted.text), quoted.endRow, quoted.endColumn)
        case "-" where indicatorUse:
            throw failure(r, "nested lists are not supported in TASK.md front matter (key '\(key)')")
        case "?" where indicatorUse, ":" where indicatorUse:
            throw failure(r, "maps inside lists are not supported in TASK.md front matter (key '\(key)')")
        case "#", "|", ">", "%", "@", "`", "}":
            throw failure(r, "'\(c)' cannot start an unquoted item in the list of '\(key)'; put the item in quotes")
        default:
            return try readFlowPlain(key: key, row: r, column: i, listRow: listRow)
        }
    }

    /// A block list whose first `- ` line is `lines[row]`. Items must all start at that line's
    /// indentation, which may be 0 (YAML allows `- ` at the same column as the key).
    mutating func readBlockList(key: String) throws(FrontmatterError) -> YAMLValue {
        let itemIndent = Self.leadingSpaces(lines[row])
        var items: [YAMLValue] = []
        while true {
            var r = row
            while r < lines.count && (Self.isBlank(lines[r]) || Self.isComment(lines[r])) { r += 1 }
            guard r < lines.count else {
                row = r
                break
            }
            let line = lines[r]
            let lead = Self.leadingSpaces(line)
            if lead < itemIndent || (lead == 0 && line.first == "\t") { break }
            guard Self.isIndicator(line, at: lead, "-") else {
                if lead == 0 { break }  // the next key
                if lead == itemIndent && Self.hasMappingColon(line[lead...]) {
                    throw failure(r, "nested maps are not supported in TASK.md front matter (key '\(key)')")
                }
                if lead > itemIndent {
                    throw failure(r, "unexpected indentation in the list of '\(key)'")
                }
                throw failure(r, "expected a list item ('- ') in the list of '\(key)'")
            }
            if lead > itemIndent {
                throw failure(r, "the items of '\(key)' must all start at the same column")
            }
            row = r
            let start = Self.skipWhite(line, from: lead + 1)
            if start < line.count && line[start] != "#" {
                items.append(
                    try readNode(
                        key: key, column: start, parentIndent: itemIndent,
                        context: .listItem, onKeyLine: false))
            } else {
                row = r + 1
                items.append(try readEmptyItemValue(key: key, itemIndent: itemIndent))
            }
        }
        return .list(items)
    }

    /// `-` with nothing after it: null, or a value on the next, more-indented line.
    private mutating func readEmptyItemValue(key: String, itemIndent: Int) throws(FrontmatterError) -> YAMLValue {
        var p = row
        while p < lines.count && (Self.isBlank(lines[p]) || Self.isComment(lines[p])) { p += 1 }
        guard p < lines.count else { return .null }
        let line = lines[p]
        let lead = Self.leadingSpaces(line)
        guard lead > itemIndent, line[lead] != "\t" else { return .null }
        if Self.isIndicator(line, at: lead, "-") {
            throw failure(p, "nested lists are not supported in TASK.md front matter (key '\(key)')")
        }
        row = p
        return try readNode(key: key, column: lead, parentIndent: itemIndent, context: .listItem, onKeyLine: false)
    }
}
