extension FrontmatterCodec {
    /// Writes a document in orange's canonical form: `---`, one entry per line (or block) in
    /// order, `---`, then the body unchanged.
    ///
    /// The output is deterministic and reads back to the same values (plain and quoted scalars
    /// with the same text count as the same). Strings are quoted whenever a YAML 1.1 or 1.2
    /// reader could take them for anything else; long lines are never folded.
    ///
    /// Keys are written as given: they must be `[A-Za-z0-9_.-]+` and unique, as they are in any
    /// document read by `parse`. List items must be scalars; a nested list is written as a
    /// nested flow list, which `parse` refuses.
    public static func render(_ document: FrontmatterDocument) -> String {
        var out = "---\n"
        for entry in document.entries {
            out += entry.key
            out += ":"
            out += YAMLScalarWriter.blockValue(entry.value)
        }
        out += "---\n"
        out += document.body
        return out
    }
}

/// Chooses how each value is written. Everything here is a pure function of the value.
enum YAMLScalarWriter {
    /// The text after `key:`, from the separating space to the final line break.
    static func blockValue(_ value: YAMLValue) -> String {
        switch value {
        case .null:
            return " null\n"
        case .list(let items):
            return " " + flowList(items) + "\n"
        case .plain(let text):
            return YAMLScalarRules.canBePlain(text, flow: false) ? " " + text + "\n" : blockString(text)
        case .string(let text):
            return blockString(text)
        }
    }

    static func flowList(_ items: [YAMLValue]) -> String {
        "[" + items.map(flowItem).joined(separator: ", ") + "]"
    }

    static func flowItem(_ value: YAMLValue) -> String {
        switch value {
        case .null:
            return "null"
        case .list(let items):
            return flowList(items)
        case .plain(let text):
            return YAMLScalarRules.canBePlain(text, flow: true) ? text : inlineString(text)
        case .string(let text):
            return inlineString(text)
        }
    }

    /// A string as a block mapping value: a literal block when it has several lines and a
    /// literal block can hold it exactly, otherwise on one line.
    static func blockString(_ text: String) -> String {
        if text.unicodeScalars.contains("\n") && canBeLiteral(text) {
            return literalBlock(text)
        }
        return " " + inlineString(text) + "\n"
    }

    /// A string on one line, safe in both block and flow context: plain when unambiguous,
    /// single-quoted when printable, double-quoted with escapes otherwise.
    static func inlineString(_ text: String) -> String {
        if !text.unicodeScalars.allSatisfy(YAMLScalarRules.isPrintable) {
            return doubleQuoted(text)
        }
        if YAMLScalarRules.canBePlain(text, flow: true) && !YAMLScalarRules.isAmbiguous(text) {
            return text
        }
        return singleQuoted(text)
    }

    /// Doubles quotes scalar by scalar: a Character-based replace would miss a quote followed
    /// by a combining mark, which Swift counts as one Character.
    static func singleQuoted(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        out.append("'")
        for c in text.unicodeScalars {
            out.append(c)
            if c == "'" { out.append("'") }
        }
        out.append("'")
        return String(out)
    }

    /// Literal blocks keep every character as written, so they can hold any text made of
    /// printable characters, tabs and line breaks (a `\r` would be read as a line break).
    static func canBeLiteral(_ text: String) -> Bool {
        text.unicodeScalars.allSatisfy { YAMLScalarRules.isPrintable($0) || $0 == "\n" || $0 == "\t" }
    }

    /// `|`, `|-` or `|+` chosen so that the trailing line breaks read back exactly; an
    /// indentation indicator when the first text line starts with white space (the reader
    /// would otherwise take that white space for indentation).
    static func literalBlock(_ text: String) -> String {
        var scalars = Array(text.unicodeScalars)
        var trailing = 0
        while scalars.last == "\n" {
            scalars.removeLast()
            trailing += 1
        }
        let chomping: String
        if scalars.isEmpty || trailing > 1 {
            chomping = "+"
        } else {
            chomping = trailing == 1 ? "" : "-"
        }
        let firstText = scalars.first { $0 != "\n" }
        let indicator = firstText.map(YAMLScalarRules.isWhite) == true ? "2" : ""
        var out = " |" + indicator + chomping + "\n"
        if scalars.isEmpty {
            // Only line breaks: each is an empty line of a keep block.
            out += String(repeating: "\n", count: trailing)
            return out
        }
        for line in scalars.split(separator: "\n", omittingEmptySubsequences: false) {
            if !line.isEmpty { out += "  " + YAMLScalarRules.string(line) }
            out += "\n"
        }
        // The last text line's break is already written; keep needs one more per extra break.
        if trailing > 1 { out += String(repeating: "\n", count: trailing - 1) }
        return out
    }

    static func doubleQuoted(_ text: String) -> String {
        var out = "\""
        for c in text.unicodeScalars {
            switch c {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\u{0}": out += "\\0"
            case "\u{7}": out += "\\a"
            case "\u{8}": out += "\\b"
            case "\t": out += "\\t"
            case "\n": out += "\\n"
            case "\u{B}": out += "\\v"
            case "\u{C}": out += "\\f"
            case "\r": out += "\\r"
            case "\u{1B}": out += "\\e"
            case "\u{85}": out += "\\N"
            case "\u{A0}": out += "\\_"
            case "\u{2028}": out += "\\L"
            case "\u{2029}": out += "\\P"
            default:
                if YAMLScalarRules.isPrintable(c) {
                    out.unicodeScalars.append(c)
                } else {
                    out += hexEscape(c)
                }
            }
        }
        return out + "\""
    }

    private static func hexEscape(_ c: Unicode.Scalar) -> String {
        let (prefix, width) = c.value <= 0xFF ? ("\\x", 2) : c.value <= 0xFFFF ? ("\\u", 4) : ("\\U", 8)
        let digits = String(c.value, radix: 16, uppercase: true)
        return prefix + String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
