import OrangeCore
import OrangeTestSupport
import Testing

/// Random values built from the characters and words that break YAML writers.
struct NastyYAMLGenerator {
    var rng: SeededRandom

    static let fragments: [String] = [
        "'", "\"", "''", ":", ": ", "#", " #", "-", "- ", "?", "[", "]", "{", "}", ",", "&", "*", "!", "|", ">",
        "%", "@", "`", "\\", "/", "é", "😀", "\u{5D0}\u{5D1}", "\u{202E}", "\u{301}", "\u{2028}", "\u{2029}",
        "\u{85}", "\u{A0}", "\u{FEFF}", "\n", "\r", "\r\n", "\t", "\u{0}", "\u{1}", "\u{1B}", "\u{7F}", " ", "  ",
        "a", "b", "x", "Z", "word", "0", "1", "yes", "no", "on", "off", "null", "~", "true", "0x1F", "1e3", ".5",
        "2026-02-01T04:48:33.123Z", "012", "---", "...", "\n\n", "  \n", "\t\n", "\n ", "|-", ">-", "= ",
    ]

    static let words: [String] = [
        "yes", "no", "on", "off", "y", "n", "Y", "N", "Yes", "NO", "On", "OFF", "true", "False", "TRUE", "null",
        "Null", "NULL", "~", "0x1F", "0o17", "0b101", "1e3", "1E-3", ".5", "-.5", "+.5", "5.", "2026-02-01T04:48:33.123Z",
        "2026-02-01", "2026-02-01 04:48:33", "012", "0", "-0", "+12", "1_000", "12:30:00", ".inf", "-.inf", ".NaN",
        "=", "<<", "", " ", "---", "...",
    ]

    static let keyAlphabet = Array("abcxyzABZ019_.-")

    mutating func int(_ upper: Int) -> Int { Int(rng.next(upperBound: UInt64(upper))) }

    /// The fragments a literal block can hold (no control characters, no odd line separators).
    static let printableFragments = fragments.filter { fragment in
        fragment.unicodeScalars.allSatisfy { $0 == "\n" || $0 == "\t" || ($0.value >= 0x20 && $0.value < 0x7F) || $0.value > 0xFF }
            && !fragment.unicodeScalars.contains { [0x2028, 0x2029, 0xFEFF].contains($0.value) }
    }

    mutating func nastyString() -> String {
        let pool = int(2) == 0 ? Self.fragments : Self.printableFragments
        var s = ""
        for _ in 0..<int(7) { s += pool[int(pool.count)] }
        return s
    }

    /// A string that is often exactly a YAML keyword or number, otherwise nasty.
    mutating func text() -> String {
        int(4) == 0 ? Self.words[int(Self.words.count)] : nastyString()
    }

    mutating func scalar() -> YAMLValue {
        switch int(5) {
        case 0: return .null
        case 1, 2: return .string(text())
        default: return .plain(text())
        }
    }

    mutating func value() -> YAMLValue {
        guard int(4) == 0 else { return scalar() }
        return .list((0..<int(5)).map { _ in scalar() })
    }

    mutating func key() -> String {
        String((0..<(1 + int(6))).map { _ in Self.keyAlphabet[int(Self.keyAlphabet.count)] })
    }

    mutating func body() -> String {
        var s = ""
        for _ in 0..<int(5) {
            s += [nastyString(), "---\n", "---", "\r\n", "\n"][int(5)]
        }
        return s
    }

    mutating func document() -> FrontmatterDocument {
        var keys: [String] = []
        while keys.count < int(7) {
            let k = key()
            if !keys.contains(k) { keys.append(k) }
        }
        return FrontmatterDocument(entries: keys.map { FrontmatterEntry(key: $0, value: value()) }, body: body())
    }
}

@Suite struct FrontmatterPropertyTests {
    @Test func renderedDocumentsReadBackToTheSameValuesAndRenderIdentically() throws {
        var gen = NastyYAMLGenerator(rng: SeededRandom(seed: 0x0A4A_96E5))
        // How often each output form appeared, to show the generator reaches all of them.
        var forms: [String: Int] = [:]
        for _ in 0..<4000 {
            let doc = gen.document()
            let text = FrontmatterCodec.render(doc)
            for (form, marker) in [
                ("literal", ": |"), ("keep", "|+\n"), ("indicator", "|2"), ("double", ": \""),
                ("single", ": '"), ("list", ": ["),
            ] where text.contains(marker) {
                forms[form, default: 0] += 1
            }
            let back: FrontmatterDocument
            do {
                back = try FrontmatterCodec.parse(text)
            } catch {
                Issue.record("\(error) reading \(text.debugDescription) from \(doc)")
                continue
            }
            #expect(back.entries.map(\.key) == doc.entries.map(\.key))
            if back.entries.contains(where: { if case .plain = $0.value { true } else { false } }) {
                forms["plain", default: 0] += 1
            }
            for (a, b) in zip(back.entries, doc.entries) {
                #expect(a.value.sameText(as: b.value), "\(a.value) ≠ \(b.value) in \(text.debugDescription)")
                // Equal text must also mean equal scalars: Swift's String == ignores normalization.
                #expect(Array((a.value.text ?? "").unicodeScalars) == Array((b.value.text ?? "").unicodeScalars))
            }
            #expect(Array(back.body.utf8) == Array(doc.body.utf8))
            #expect(Array(FrontmatterCodec.render(back).utf8) == Array(text.utf8))
        }
        for form in ["literal", "keep", "indicator", "double", "single", "list", "plain"] {
            #expect(forms[form, default: 0] >= 50, "only \(forms[form, default: 0]) documents used the \(form) form")
        }
    }

    @Test func stringsThatLookLikeOtherTypesAreAlwaysQuoted() throws {
        var gen = NastyYAMLGenerator(rng: SeededRandom(seed: 7))
        var words = NastyYAMLGenerator.words
        // Random numbers, timestamps and case variants of the keywords.
        for _ in 0..<2000 {
            var w = ""
            for _ in 0..<(1 + gen.int(6)) { w += ["0", "1", "9", ".", "e", "-", "+", "_", ":", "x", "T", "Z"][gen.int(12)] }
            // Keep the ones a YAML 1.1 reader could take for a number: [sign][.]digit...
            var rest = Substring(w)
            if rest.first == "+" || rest.first == "-" { rest = rest.dropFirst() }
            if rest.first == "." { rest = rest.dropFirst() }
            if let c = rest.first, c.isASCII, c.isNumber { words.append(w) }
            let keyword = ["yes", "no", "on", "off", "true", "false", "null", "y", "n"][gen.int(9)]
            words.append(String(keyword.map { gen.int(2) == 0 ? Character($0.uppercased()) : $0 }))
        }
        for word in words {
            let text = FrontmatterCodec.render(
                FrontmatterDocument(
                    entries: [
                        FrontmatterEntry(key: "k", value: .string(word)),
                        FrontmatterEntry(key: "l", value: .list([.string(word)])),
                    ], body: ""))
            let doc = try FrontmatterCodec.parse(text)
            #expect(doc.entry("k")?.value == .string(word), "\(word) written as \(text.debugDescription)")
            #expect(doc.entry("l")?.value == .list([.string(word)]), "\(word) written as \(text.debugDescription)")
        }
    }

    /// Random edits of valid files must never crash or hang the reader; errors stay inside the file.
    @Test func damagedFilesNeverCrashTheReader() {
        var gen = NastyYAMLGenerator(rng: SeededRandom(seed: 99))
        let pieces = ["\n", "  ", "- ", "[", "]", "'", "\"", "\\", "|", ">-", "|2", ":", ": ", "#", "\t", "---\n", "&a", "{"]
        for _ in 0..<3000 {
            var scalars = Array(FrontmatterCodec.render(gen.document()).unicodeScalars)
            for _ in 0..<(1 + gen.int(3)) {
                let at = gen.int(scalars.count + 1)
                if gen.int(2) == 0 && at < scalars.count {
                    scalars.removeSubrange(at..<min(scalars.count, at + 1 + gen.int(4)))
                } else {
                    scalars.insert(contentsOf: pieces[gen.int(pieces.count)].unicodeScalars, at: at)
                }
            }
            let text = String(String.UnicodeScalarView(scalars))
            let lineCount = scalars.filter { $0 == "\n" || $0 == "\r" }.count + 1
            do {
                _ = try FrontmatterCodec.parse(text)
            } catch {
                #expect(error.line >= 1 && error.line <= lineCount, "\(error) for \(text.debugDescription)")
            }
        }
    }
}
