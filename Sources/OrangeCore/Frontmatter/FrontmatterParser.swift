/// Reads and writes TASK.md files: YAML front matter between `---` lines, then a Markdown body.
///
/// Only a small, safe subset of YAML is accepted: top-level `key: value` entries whose values
/// are scalars (plain, quoted or block) or flat lists of scalars. Everything else is rejected
/// with the 1-based line and a reason, never guessed at. Hand-written so that orange depends on
/// no YAML library and knows exactly what it accepts.
public enum FrontmatterCodec {
    /// Parses a whole TASK.md. The body is everything after the closing `---` line, byte for byte.
    public static func parse(_ text: String) throws(FrontmatterError) -> FrontmatterDocument {
        let split = try FrontmatterSplitter.split(text)
        var parser = FrontmatterParser(lines: split.lines)
        let entries = try parser.parseEntries()
        return FrontmatterDocument(entries: entries, body: split.body)
    }

    /// `parse` of bytes already known to be valid UTF-8; without `keepingBody` the document's
    /// body is empty (a reader that drops it anyway saves copying it).
    public static func parse(validUTF8 bytes: UnsafeBufferPointer<UInt8>, keepingBody: Bool) throws(FrontmatterError) -> FrontmatterDocument
    {
        let split = try FrontmatterSplitter.split(bytes: bytes, keepingBody: keepingBody)
        var parser = FrontmatterParser(lines: split.lines)
        let entries = try parser.parseEntries()
        return FrontmatterDocument(entries: entries, body: split.body)
    }
}

/// Where a value sits: directly under a key, or as an item of a block list (`- x`).
enum YAMLNodeContext {
    case mappingValue
    case listItem
}

/// The front matter reader. It walks the lines with `row` and never goes back, so every input
/// is read in one pass; nothing recurses, so no input can exhaust the stack.
struct FrontmatterParser {
    let lines: [[Unicode.Scalar]]
    /// The next line to read.
    var row = 0

    init(lines: [[Unicode.Scalar]]) {
        self.lines = lines
    }

    /// An error at front matter line `row` (file line `row + 2`: line 1 is the opening `---`).
    func failure(_ row: Int, _ reason: String) -> FrontmatterError {
        FrontmatterError(line: row + 2, reason: reason)
    }

    mutating func parseEntries() throws(FrontmatterError) -> [FrontmatterEntry] {
        var entries: [FrontmatterEntry] = []
        var previousKey: String?
        while row < lines.count {
            let line = lines[row]
            if Self.isBlank(line) || Self.isComment(line) {
                row += 1
                continue
            }
            try checkEntryStart(line, previousKey: previousKey)
            let (key, afterColon) = try readKey(line)
            // A linear search: a dozen keys compare faster than they hash.
            if let first = entries.first(where: { $0.key == key }) {
                throw failure(row, "duplicate key '\(key)' (first on line \(first.line))")
            }
            let keyRow = row
            let value = try readMappingValue(key: key, from: afterColon)
            entries.append(FrontmatterEntry(key: key, value: value, line: keyRow + 2))
            previousKey = key
        }
        return entries
    }

    // MARK: - Line classification

    static func isBlank(_ line: [Unicode.Scalar]) -> Bool {
        line.allSatisfy(YAMLScalarRules.isWhite)
    }

    static func isComment(_ line: [Unicode.Scalar]) -> Bool {
        line.first { !YAMLScalarRules.isWhite($0) } == "#"
    }

    static func leadingSpaces(_ line: [Unicode.Scalar]) -> Int {
        var n = 0
        while n < line.count && line[n] == " " { n += 1 }
        return n
    }

    /// The first index at or after `from` that is not a space or tab.
    static func skipWhite(_ line: [Unicode.Scalar], from: Int) -> Int {
        var i = from
        while i < line.count && YAMLScalarRules.isWhite(line[i]) { i += 1 }
        return i
    }

    /// Whether `line[at]` is `-` (or `?`, `:`) used as an indicator: followed by white space or the end.
    static func isIndicator(_ line: [Unicode.Scalar], at i: Int, _ c: Unicode.Scalar) -> Bool {
        i < line.count && line[i] == c && (i + 1 == line.count || YAMLScalarRules.isWhite(line[i + 1]))
    }

    /// Whether `text` has a `:` that YAML would read as a mapping (`: ` or a final `:`). Used to
    /// pick a message, and to refuse plain scalars that other readers would take for a map.
    static func hasMappingColon(_ text: ArraySlice<Unicode.Scalar>) -> Bool {
        var i = text.startIndex
        while i < text.endIndex {
            if text[i] == ":" && (i + 1 == text.endIndex || YAMLScalarRules.isWhite(text[i + 1])) { return true }
            if text[i] == "#" && i > text.startIndex && YAMLScalarRules.isWhite(text[i - 1]) { return false }
            i += 1
        }
        return false
    }

    /// A short, printable excerpt of a line for messages.
    static func excerpt(_ line: ArraySlice<Unicode.Scalar>) -> String {
        let text = YAMLScalarRules.string(line.prefix(40))
        return line.count > 40 ? text + "…" : text
    }

    /// The token starting at `i` (up to white space), for messages about `&x`, `*x`, `!tag`.
    static func token(_ line: [Unicode.Scalar], at i: Int) -> String {
        var j = i
        while j < line.count && !YAMLScalarRules.isWhite(line[j]) && j - i < 40 { j += 1 }
        return YAMLScalarRules.string(line[i..<j])
    }

    // MARK: - Entries

    /// Rejects, with a specific reason, every line that cannot start a `key: value` entry.
    func checkEntryStart(_ line: [Unicode.Scalar], previousKey: String?) throws(FrontmatterError) {
        guard let first = line.first else { return }
        let content = line[Self.skipWhite(line, from: 0)...]
        if first == "\t" || (first == " " && line[..<content.startIndex].contains("\t")) {
            throw failure(row, "tabs are not allowed for indentation; use spaces")
        }
        if first == " " {
            guard let key = previousKey else {
                throw failure(row, "unexpected indentation: front matter keys start at the beginning of the line")
            }
            if Self.hasMappingColon(content) {
                throw failure(row, "nested maps are not supported in TASK.md front matter (key '\(key)')")
            }
            if content.first == "-" {
                throw failure(
                    row,
                    "unexpected list item after the value of '\(key)': list items go on the lines "
                        + "after '\(key):' with nothing after the colon")
            }
            throw failure(
                row,
                "unexpected indented text after the value of '\(key)': put multi-line text "
                    + "in quotes or in a block scalar ('|')")
        }
        switch first {
        case "-":
            if Self.isIndicator(line, at: 0, "-") {
                throw failure(row, "list item without a key: put it under a 'key:' line")
            }
            if line.count > 3 && line[1] == "-" && line[2] == "-" && YAMLScalarRules.isWhite(line[3]) {
                throw failure(row, "a second YAML document ('---') is not supported: TASK.md has one front matter block")
            }
        case ".":
            if line.count >= 3 && line[1] == "." && line[2] == "."
                && (line.count == 3 || YAMLScalarRules.isWhite(line[3]))
            {
                throw failure(row, "the document end marker '...' is not supported in TASK.md front matter")
            }
        case "%":
            throw failure(row, "YAML directives ('\(Self.token(line, at: 0))') are not supported in TASK.md front matter")
        case "&":
            throw failure(row, "anchors ('\(Self.token(line, at: 0))') are not supported in TASK.md front matter")
        case "*":
            throw failure(row, "aliases ('\(Self.token(line, at: 0))') are not supported in TASK.md front matter")
        case "!":
            throw failure(row, "tags ('\(Self.token(line, at: 0))') are not supported in TASK.md front matter")
        case "{":
            throw failure(row, "flow maps ('{…}') are not supported in TASK.md front matter")
        case "[":
            throw failure(row, "a list cannot be used as a key; expected 'key: value'")
        case "?":
            if Self.isIndicator(line, at: 0, "?") {
                throw failure(row, "complex keys ('? ') are not supported in TASK.md front matter")
            }
        case "'", "\"":
            throw failure(row, "quoted keys are not supported; write the key without quotes")
        default:
            break
        }
    }

    /// Reads `key:` at column 0 and returns the key and the index just after the colon.
    func readKey(_ line: [Unicode.Scalar]) throws(FrontmatterError) -> (String, Int) {
        var i = 0
        while i < line.count && YAMLScalarRules.isKeyCharacter(line[i]) { i += 1 }
        let key = YAMLScalarRules.string(line[0..<i])
        var j = i
        while j < line.count && line[j] == " " { j += 1 }
        guard i > 0, j < line.count, line[j] == ":" else {
            if let colon = line.firstIndex(of: ":"), colon > 0 {
                let written = YAMLScalarRules.string(line[0..<colon])
                throw failure(row, "invalid key '\(written)': keys may only contain letters, digits, '_', '.' and '-'")
            }
            throw failure(row, "expected 'key: value' but found '\(Self.excerpt(line[...]))'")
        }
        if j + 1 < line.count && !YAMLScalarRules.isWhite(line[j + 1]) {
            throw failure(row, "expected a space after '\(key):' (found '\(Self.excerpt(line[...]))')")
        }
        return (key, j + 1)
    }

    /// Reads the value after `key:`, on the same line or on the lines below.
    mutating func readMappingValue(key: String, from column: Int) throws(FrontmatterError) -> YAMLValue {
        let line = lines[row]
        let start = Self.skipWhite(line, from: column)
        if start < line.count && line[start] != "#" {
            return try readNode(key: key, column: start, parentIndent: 0, context: .mappingValue, onKeyLine: true)
        }
        row += 1
        return try readValueBelow(key: key)
    }

    /// `key:` with nothing after it: the value is null, a block list, or a node on the
    /// following more-indented lines.
    private mutating func readValueBelow(key: String) throws(FrontmatterError) -> YAMLValue {
        var r = row
        while r < lines.count && (Self.isBlank(lines[r]) || Self.isComment(lines[r])) { r += 1 }
        guard r < lines.count else { return .null }
        let line = lines[r]
        let lead = Self.leadingSpaces(line)
        if Self.isIndicator(line, at: lead, "-") {
            row = r
            return try readBlockList(key: key)
        }
        if lead == 0 { return .null }
        if line[lead] == "\t" {
            throw failure(r, "tabs are not allowed for indentation; use spaces")
        }
        row = r
        return try readNode(key: key, column: lead, parentIndent: 0, context: .mappingValue, onKeyLine: false)
    }

    /// Reads one value starting at `lines[row][column]` (a non-blank character) and leaves
    /// `row` on the first line after it.
    mutating func readNode(
        key: String, column: Int, parentIndent: Int, context: YAMLNodeContext, onKeyLine: Bool
    ) throws(FrontmatterError) -> YAMLValue {
        let line = lines[row]
        let c = line[column]
        let inList = context == .listItem
        switch c {
        case "&":
            throw failure(row, "anchors ('\(Self.token(line, at: column))') are not supported in TASK.md front matter (key '\(key)')")
        case "*":
            throw failure(row, "aliases ('\(Self.token(line, at: column))') are not supported in TASK.md front matter (key '\(key)')")
        case "!":
            throw failure(row, "tags ('\(Self.token(line, at: column))') are not supported in TASK.md front matter (key '\(key)')")
        case "{":
            throw failure(row, "flow maps ('{…}') are not supported in TASK.md front matter (key '\(key)')")
        case "[":
            if inList { throw failure(row, "nested lists are not supported in TASK.md front matter (key '\(key)')") }
            return try readFlowList(key: key, column: column)
        case "'", "\"":
            let quoted = try readQuoted(key: key, startRow: row, column: column)
            try finishLine(key: key, row: quoted.endRow, column: quoted.endColumn, after: "the closing quote")
            return .string(quoted.text)
        case "|", ">":
            if inList {
                throw failure(
                    row,
                    "block scalars ('|', '>') are not supported inside lists (key '\(key)'); "
                        + "use a double-quoted string")
            }
            return try readBlockScalar(key: key, column: column, parentIndent: parentIndent)
        case "-" where Self.isIndicator(line, at: column, "-"):
            if inList { throw failure(row, "nested lists are not supported in TASK.md front matter (key '\(key)')") }
            throw failure(
                row,
                "a list cannot start on the same line as '\(key):'; put each '- item' on its own "
                    + "line below, or write [a, b]")
        case "?" where Self.isIndicator(line, at: column, "?"),
            ":" where Self.isIndicator(line, at: column, ":"):
            throw failure(row, "complex keys and nested maps are not supported in TASK.md front matter (key '\(key)')")
        case ",", "]", "}", "%", "@", "`", "#":
            throw failure(row, "'\(c)' cannot start an unquoted value (key '\(key)'); put the value in quotes")
        default:
            return try readBlockPlain(
                key: key, column: column, parentIndent: parentIndent,
                context: context, onKeyLine: onKeyLine)
        }
    }

    /// After a closing quote or `]`: only white space and a comment may follow on the line.
    mutating func finishLine(key: String, row r: Int, column: Int, after what: String) throws(FrontmatterError) {
        let line = lines[r]
        let i = Self.skipWhite(line, from: column)
        if i < line.count && !(line[i] == "#" && i > column) {
            throw failure(r, "unexpected text after \(what) in the value of '\(key)': '\(Self.excerpt(line[i...]))'")
        }
        row = r + 1
    }
}
