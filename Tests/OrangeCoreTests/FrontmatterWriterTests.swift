import OrangeCore
import Testing

/// The canonical output, value by value.
@Suite struct FrontmatterWriterTests {
    /// The rendered line(s) of a one-entry document, without the fences.
    func rendered(_ value: YAMLValue) -> String {
        let text = FrontmatterCodec.render(FrontmatterDocument(entries: [FrontmatterEntry(key: "k", value: value)], body: ""))
        return String(text.dropFirst(4).dropLast(4))
    }

    @Test func layoutIsFencesEntriesInOrderAndTheBodyUnchanged() {
        let doc = FrontmatterDocument(
            entries: [
                FrontmatterEntry(key: "b", value: .plain("1")),
                FrontmatterEntry(key: "a", value: .null),
            ], body: "# Body\r\n\n---\n")
        #expect(FrontmatterCodec.render(doc) == "---\nb: 1\na: null\n---\n# Body\r\n\n---\n")
        #expect(FrontmatterCodec.render(FrontmatterDocument(entries: [], body: "")) == "---\n---\n")
    }

    @Test(arguments: [
        (YAMLValue.null, "k: null\n"),
        (.list([]), "k: []\n"),
        (
            .list([.plain("a"), .string("b c"), .null, .string("x,y"), .string("yes"), .plain("[z]")]),
            "k: [a, b c, null, 'x,y', 'yes', '[z]']\n"
        ),
        (.list([.string("two\nlines"), .plain("it's")]), "k: [\"two\\nlines\", it's]\n"),
        (.plain("5"), "k: 5\n"),
        (.plain("yes"), "k: yes\n"),
        (.plain("a,b"), "k: a,b\n"),
        (.plain("null"), "k: 'null'\n"),
        (.plain(""), "k: ''\n"),
        (.plain(" x"), "k: ' x'\n"),
        (.plain("a: b"), "k: 'a: b'\n"),
        // PyYAML cannot load a bare `=` or `<<`, and stops a flow item at `?`.
        (.plain("="), "k: '='\n"),
        (.plain("<<"), "k: '<<'\n"),
        (.plain("a?b"), "k: a?b\n"),
        (.list([.plain("a?b"), .plain("a:b")]), "k: ['a?b', a:b]\n"),
        (.string("hello world"), "k: hello world\n"),
        (.string(""), "k: ''\n"),
        (.string("it's"), "k: it's\n"),
        (.string("'quoted'"), "k: '''quoted'''\n"),
        (.string("2026-02-01T04:48:33.123Z"), "k: '2026-02-01T04:48:33.123Z'\n"),
        (.string("https://github.com/o/r/pull/1"), "k: https://github.com/o/r/pull/1\n"),
        (.string("tab\there"), "k: \"tab\\there\"\n"),
        (
            .string("bell\u{7}\u{0}\u{1B}\u{85}\u{A0}\u{2028}\u{FEFF}\u{10FFFF}"),
            "k: \"bell\\a\\0\\e\\N\\_\\L\\uFEFF\u{10FFFF}\"\n"
        ),
        (.string("back\\slash \"q\"\r"), "k: \"back\\\\slash \\\"q\\\"\\r\"\n"),
        (.string("é😀 עברית \u{301}"), "k: é😀 עברית \u{301}\n"),
    ])
    func scalarsAndLists(_ value: YAMLValue, _ expected: String) {
        #expect(rendered(value) == expected)
    }

    /// Words and numbers that some YAML reader would take for something else are quoted.
    @Test(arguments: [
        "null", "Null", "~", "true", "False", "YES", "no", "on", "Off", "y", "N", "=", "<<",
        "0", "12", "012", "0x1F", "0o17", "1e3", "1_000", "+1", "-1", ".5", "-.5", "+.5", ".inf", "-.Inf", ".NaN",
        "2026-02-01", "2026-02-01T04:48:33.123Z", "12:30", "- a", "-", "?", "? x", ":x", "a:", "a: b", "a #b",
        "#x", "&a", "*a", "!a", "|", ">", "'", "\"", "%x", "@x", "`x`", "[a]", "{a}", "a,b", "a]", "---", "...",
        " lead", "trail ",
    ])
    func ambiguousStringsAreQuoted(_ word: String) {
        let line = rendered(.string(word))
        #expect(line.hasPrefix("k: '") || line.hasPrefix("k: \""), "\(word) → \(line)")
    }

    @Test(arguments: [
        ("one\ntwo", "k: |-\n  one\n  two\n"),
        ("one\ntwo\n", "k: |\n  one\n  two\n"),
        ("one\ntwo\n\n", "k: |+\n  one\n  two\n\n"),
        ("\n", "k: |+\n\n"),
        ("\n\n", "k: |+\n\n\n"),
        ("\nafter", "k: |-\n\n  after\n"),
        ("  indented\nnot", "k: |2-\n    indented\n  not\n"),
        ("\n  deeper\n", "k: |2\n\n    deeper\n"),
        ("\tx\ny", "k: |2-\n  \tx\n  y\n"),
        ("a\n\nb", "k: |-\n  a\n\n  b\n"),
        ("a\n   \nb", "k: |-\n  a\n     \n  b\n"),
        ("trailing  \nspaces ", "k: |-\n  trailing  \n  spaces \n"),
        ("# not\n---\n...", "k: |-\n  # not\n  ---\n  ...\n"),
        ("cr\r\nlf", "k: \"cr\\r\\nlf\"\n"),
        ("ctl\u{1}\nx", "k: \"ctl\\x01\\nx\"\n"),
        ("sep\u{2028}\nx", "k: \"sep\\L\\nx\"\n"),
    ])
    func multiLineStrings(_ text: String, _ expected: String) throws {
        #expect(rendered(.string(text)) == expected)
        let back = try FrontmatterCodec.parse("---\n" + expected + "---\n").entry("k")?.value
        #expect(back == .string(text))
    }

    @Test func neverFoldsLongLines() {
        let long = String(repeating: "word ", count: 60) + "end"
        #expect(rendered(.string(long)) == "k: \(long)\n")
        #expect(rendered(.string("x: " + long)) == "k: 'x: \(long)'\n")
    }
}
