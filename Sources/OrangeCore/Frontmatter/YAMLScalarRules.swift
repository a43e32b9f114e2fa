/// Character and word rules shared by the front matter reader and writer.
///
/// The reader and the writer must agree exactly on what an unquoted scalar is, or a rewrite
/// could change a value's meaning; keeping the rules in one place is what guarantees that.
enum YAMLScalarRules {
    /// Characters that may appear raw in a plain, single-quoted or literal scalar. This is
    /// js-yaml's notion of printable: besides YAML's own exclusions it also keeps NEL, NBSP,
    /// the Unicode line/paragraph separators and the BOM out, because some readers treat them
    /// as line breaks or strip them. Everything else is written double-quoted with an escape.
    static func isPrintable(_ c: Unicode.Scalar) -> Bool {
        let v = c.value
        if v >= 0x20 && v <= 0x7E { return true }
        if v >= 0xA1 && v <= 0xD7FF { return v != 0x2028 && v != 0x2029 }
        if v >= 0xE000 && v <= 0xFFFD { return v != 0xFEFF }
        return v >= 0x10000 && v <= 0x10FFFF
    }

    /// Characters the reader refuses anywhere in front matter: C0 controls other than tab
    /// (line breaks are consumed before this check), DEL, C1 controls other than NEL, and the
    /// two non-characters U+FFFE and U+FFFF. YAML forbids them raw; they need an escape.
    static func isForbiddenRaw(_ c: Unicode.Scalar) -> Bool {
        let v = c.value
        if v < 0x20 { return v != 0x09 }
        if v == 0x7F { return true }
        if v >= 0x80 && v <= 0x9F { return v != 0x85 }
        return v == 0xFFFE || v == 0xFFFF
    }

    static func isWhite(_ c: Unicode.Scalar) -> Bool { c == " " || c == "\t" }

    static func isFlowIndicator(_ c: Unicode.Scalar) -> Bool {
        c == "," || c == "[" || c == "]" || c == "{" || c == "}"
    }

    static func isKeyCharacter(_ c: Unicode.Scalar) -> Bool {
        let v = c.value
        return (v >= 48 && v <= 57) || (v >= 65 && v <= 90) || (v >= 97 && v <= 122) || v == 95 || v == 46 || v == 45
    }

    /// The unquoted words the reader turns into `.null` (YAML 1.2 core schema).
    static func isNullWord(_ text: String) -> Bool {
        text == "null" || text == "Null" || text == "NULL" || text == "~"
    }

    /// Characters that may not start a plain scalar (YAML's c-indicators, minus the ones that
    /// are handled by position: `-`).
    private static let plainForbiddenFirst: Set<Unicode.Scalar> = [
        "?", ":", ",", "[", "]", "{", "}", "#", "&", "*", "!", "|", ">", "'", "\"", "%", "@", "`",
    ]

    /// Whether `text` written unquoted is read back by this reader as `.plain(text)`, and by
    /// other YAML readers without an error.
    ///
    /// `flow` is true inside `[…]`, where flow indicators also end a scalar (and where PyYAML
    /// also stops at `?`).
    static func canBePlain(_ text: String, flow: Bool) -> Bool {
        let u = Array(text.unicodeScalars)
        guard let first = u.first, let last = u.last else { return false }
        if isNullWord(text) { return false }
        // YAML 1.1 readers resolve `=` and `<<` to special tags they cannot load as values.
        if text == "=" || text.hasPrefix("<<") { return false }
        if first == " " || last == " " { return false }
        if plainForbiddenFirst.contains(first) { return false }
        if first == "-" && (u.count == 1 || u[1] == " " || isFlowIndicator(u[1])) { return false }
        for k in u.indices {
            let c = u[k]
            if !isPrintable(c) { return false }
            if flow && (isFlowIndicator(c) || c == "?") { return false }
            if c == ":" && (k + 1 == u.count || u[k + 1] == " " || isFlowIndicator(u[k + 1])) { return false }
            if c == "#" && k > 0 && u[k - 1] == " " { return false }
        }
        return true
    }

    /// Whether some YAML 1.1 or 1.2 reader could take the unquoted `text` for something other
    /// than a string: null, a boolean (including `yes`/`on`/`y`), a number in any notation,
    /// a timestamp, or a special key. Deliberately broad: a needless pair of quotes is harmless,
    /// a string silently turned into `true` is not.
    static func isAmbiguous(_ text: String) -> Bool {
        let lower = text.lowercased()
        let words: Set<String> = [
            "null", "~", "true", "false", "yes", "no", "on", "off", "y", "n", "=", "<<",
            ".inf", "+.inf", "-.inf", ".nan", "+.nan", "-.nan",
        ]
        if words.contains(lower) { return true }
        if text.hasPrefix("---") || text.hasPrefix("...") || text.hasPrefix("<<") { return true }
        // Numbers and timestamps: a digit first, possibly after a sign and/or a dot.
        var u = Substring(text).unicodeScalars[...]
        if let c = u.first, c == "+" || c == "-" { u = u.dropFirst() }
        if let c = u.first, c == "." { u = u.dropFirst() }
        if let c = u.first, c.value >= 48 && c.value <= 57 { return true }
        return false
    }

    /// Builds a string from Unicode scalars. The reader works on scalars, never on Characters,
    /// so that a quote followed by a combining mark is still a quote.
    /// Encodes to UTF-8 bytes first: appending scalars to a `String.UnicodeScalarView` one by
    /// one was a fifth of the time of `task list` on a large tree.
    static func string<S: Sequence>(_ scalars: S) -> String where S.Element == Unicode.Scalar {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(scalars.underestimatedCount)
        for scalar in scalars {
            if scalar.isASCII {
                bytes.append(UInt8(truncatingIfNeeded: scalar.value))
            } else {
                bytes.append(contentsOf: UTF8.encode(scalar)!)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
