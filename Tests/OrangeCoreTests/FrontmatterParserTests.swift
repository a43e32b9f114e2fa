import OrangeCore
import Testing

/// Every accepted form, with its exact result.
@Suite struct FrontmatterParserTests {
    /// The value of `key` in a one-entry front matter.
    func value(_ yaml: String) throws -> YAMLValue? {
        try FrontmatterCodec.parse("---\n" + yaml + "---\nbody\n").entry("k")?.value
    }

    @Test func splitsEntriesAndBodyByteForByte() throws {
        let text = "---\nid: abc\nstatus: pending\n---\n\n  # Title\r\n---\nmore\n\n"
        let doc = try FrontmatterCodec.parse(text)
        #expect(
            doc.entries == [
                FrontmatterEntry(key: "id", value: .plain("abc")),
                FrontmatterEntry(key: "status", value: .plain("pending")),
            ])
        #expect(doc.entries.map(\.line) == [2, 3])
        #expect(Array(doc.body.utf8) == Array("\n  # Title\r\n---\nmore\n\n".utf8))
    }

    @Test func bodyMayBeEmptyOrMissingItsFinalBreak() throws {
        #expect(try FrontmatterCodec.parse("---\na: 1\n---").body == "")
        #expect(try FrontmatterCodec.parse("---\na: 1\n---\n").body == "")
        #expect(try FrontmatterCodec.parse("---\n---\n").entries.isEmpty)
    }

    @Test func bodyKeepsDecomposedCharactersAndLeadingCombiningMarks() throws {
        let body = "\u{301}e\u{301}\r\n\u{2028}x"
        let doc = try FrontmatterCodec.parse("---\na: b\n---\n" + body)
        #expect(Array(doc.body.utf8) == Array(body.utf8))
    }

    @Test func acceptsCRLFAndLoneCRLineEndingsAndABOM() throws {
        let doc = try FrontmatterCodec.parse("\u{FEFF}---\r\nid: abc\r\ntext: |\r\n  one\r\n  two\r\n---\r\nbody\r\n")
        #expect(doc.entry("id")?.value == .plain("abc"))
        #expect(doc.entry("text")?.value == .string("one\ntwo\n"))
        #expect(doc.body == "body\r\n")
        let old = try FrontmatterCodec.parse("---\rid: x\r---\rbody")
        #expect(old.entry("id")?.value == .plain("x"))
        #expect(old.body == "body")
    }

    @Test func fenceMayHaveTrailingWhiteSpace() throws {
        let doc = try FrontmatterCodec.parse("--- \na: 1\n---\t\nb")
        #expect(doc.entry("a")?.value == .plain("1"))
        #expect(doc.body == "b")
    }

    @Test func skipsCommentsAndBlankLines() throws {
        let doc = try FrontmatterCodec.parse("---\n# top\n\n   \na: x # trailing\n  # indented comment\nb: 'y' # c\n---\n")
        #expect(
            doc.entries == [
                FrontmatterEntry(key: "a", value: .plain("x")),
                FrontmatterEntry(key: "b", value: .string("y")),
            ])
        #expect(doc.entries.map(\.line) == [5, 7])
    }

    @Test func keysUseLettersDigitsUnderscoreDotDash() throws {
        let doc = try FrontmatterCodec.parse("---\nA.b_c-9: 1\n-x: 2\nk : 3\n---\n")
        #expect(doc.entries.map(\.key) == ["A.b_c-9", "-x", "k"])
    }

    @Test(arguments: [
        ("k: hello world\n", YAMLValue.plain("hello world")),
        ("k:    spaced   out   \n", .plain("spaced   out")),
        ("k: a#b\n", .plain("a#b")),
        ("k: a # comment\n", .plain("a")),
        ("k:\tx\n", .plain("x")),
        ("k: http://x.y/z?q=1\n", .plain("http://x.y/z?q=1")),
        ("k: -5\n", .plain("-5")),
        ("k: ---\n", .plain("---")),
        ("k: it's \"fine\"\n", .plain("it's \"fine\"")),
        ("k: yes\n", .plain("yes")),
        ("k: 2026-02-01T04:48:33.123Z\n", .plain("2026-02-01T04:48:33.123Z")),
        ("k: a,b[c]{d}\n", .plain("a,b[c]{d}")),
        ("k: é😀\u{301}\n", .plain("é😀\u{301}")),
        ("k: nULL\n", .plain("nULL")),
        ("k: ?x\n", .plain("?x")),
        ("k: :x:y\n", .plain(":x:y")),
    ])
    func plainScalars(_ yaml: String, _ expected: YAMLValue) throws {
        #expect(try value(yaml) == expected)
    }

    @Test(arguments: ["k: null\n", "k: Null\n", "k: NULL\n", "k: ~\n", "k:\n", "k:   \n", "k: # nothing\n", "k:\n\n# c\n"])
    func nulls(_ yaml: String) throws {
        #expect(try value(yaml) == .null)
    }

    @Test func plainContinuesOnMoreIndentedLines() throws {
        #expect(try value("k: one\n  two\n   three\n") == .plain("one two three"))
        #expect(try value("k: one\n\n  two\n\n\n  three\nnext: 1\n") == .plain("one\ntwo\n\nthree"))
        #expect(try value("k:\n  on the\n  next line\n") == .plain("on the next line"))
        #expect(try value("k: # comment first\n  value\n") == .plain("value"))
        #expect(try value("k: a # ends here\n# column-0 comment\n") == .plain("a"))
        #expect(try value("k: a\n  - b\n") == .plain("a - b"))
        #expect(try value("k:\n  null\n") == .null)
    }

    @Test(arguments: [
        ("k: ''\n", "" as String),
        ("k: 'it''s'\n", "it's"),
        ("k: '2026-02-01T04:48:33.123Z'\n", "2026-02-01T04:48:33.123Z"),
        ("k: ' padded '\n", " padded "),
        ("k: '# not a comment' # comment\n", "# not a comment"),
        ("k: 'a\\nb'\n", "a\\nb"),
        ("k: 'one\n  two'\n", "one two"),
        ("k: 'one  \n\n   two\n\n\n  three '\n", "one\ntwo\n\nthree "),
        ("k: '\u{301}'\n", "\u{301}"),
        ("k:\n  'below'\n", "below"),
    ])
    func singleQuoted(_ yaml: String, _ expected: String) throws {
        #expect(try value(yaml) == .string(expected))
    }

    @Test(arguments: [
        (#"k: "a\"b\\c""# + "\n", "a\"b\\c"),
        (#"k: "\n\t\r\0\a\b\e\f\v\/\ \N\_\L\P""# + "\n", "\n\t\r\0\u{7}\u{8}\u{1B}\u{C}\u{B}/ \u{85}\u{A0}\u{2028}\u{2029}"),
        (#"k: "\x41\u00e9\U0001F600""# + "\n", "Aé😀"),
        ("k: \"tab\\\tliteral\"\n", "tab\tliteral"),
        ("k: \"one\n  two\"\n", "one two"),
        ("k: \"one \\\n   two\"\n", "one two"),
        ("k: \"one\\\n   two\"\n", "onetwo"),
        ("k: \"a\\\n\n  b\"\n", "a\nb"),
        ("k: \"trail\\t  \n  x\"\n", "trail\t x"),
        ("k: \"a \\  \n b\"\n", "a   b"),
        ("k: \"x\n\n\n  y\"\n", "x\n\ny"),
        ("k: \"end\n  \"\n", "end "),
        ("k: \"\"\n", ""),
    ])
    func doubleQuoted(_ yaml: String, _ expected: String) throws {
        #expect(try value(yaml) == .string(expected))
    }

    @Test(arguments: [
        ("k: |\n  one\n  two\n", "one\ntwo\n"),
        ("k: |-\n  one\n  two\n", "one\ntwo"),
        ("k: |+\n  one\n\n\nnext: 1\n", "one\n\n\n"),
        ("k: |\n  one\n\n\nnext: 1\n", "one\n"),
        ("k: |-\n    indented\n      more\n    back\n", "indented\n  more\nback"),
        ("k: |2\n    two extra\n  base\n", "  two extra\nbase\n"),
        ("k: |2-\n   x\n", " x"),
        ("k: |-2\n   x\n", " x"),
        ("k: |+2\n   x\n\n", " x\n\n"),
        ("k: |\n\n  after blank\n", "\nafter blank\n"),
        ("k: |\n  # not a comment\n  ---\n", "# not a comment\n---\n"),
        ("k: |\n  trailing spaces   \n  tab\tinside\n", "trailing spaces   \ntab\tinside\n"),
        ("k: |\n  a\n     \n  b\n", "a\n   \nb\n"),
        ("k: |\nnext: 1\n", ""),
        ("k: |-\n", ""),
        ("k: |+\n\n\n", "\n\n"),
        ("k: | # comment\n  x\n", "x\n"),
        ("k: |\n  x\n# comment after\n", "x\n"),
    ])
    func literalBlocks(_ yaml: String, _ expected: String) throws {
        #expect(try value(yaml) == .string(expected))
    }

    @Test(arguments: [
        ("k: >\n  one\n  two\n", "one two\n"),
        ("k: >-\n  one\n  two\n\n  three\n", "one two\nthree"),
        (
            "k: >-\n  a long line that js-yaml folded\n  at about eighty columns\n",
            "a long line that js-yaml folded at about eighty columns"
        ),
        ("k: >-\n  two spaces \n  kept\n", "two spaces  kept"),
        ("k: >\n  text\n    more indented\n  text\n", "text\n  more indented\ntext\n"),
        ("k: >\n  a\n\n    b\n\n  c\n", "a\n\n  b\n\nc\n"),
        ("k: >+\n  a\n\n", "a\n\n"),
        // YAML 1.2 spec example 8.10 (folded lines, spaced lines, leading blank line).
        (
            "k: >\n\n folded\n line\n\n next\n line\n   * bullet\n\n   * list\n   * lines\n\n last\n line\n\n# Comment\n",
            "\nfolded line\nnext line\n  * bullet\n\n  * list\n  * lines\n\nlast line\n"
        ),
    ])
    func foldedBlocks(_ yaml: String, _ expected: String) throws {
        #expect(try value(yaml) == .string(expected))
    }

    @Test(arguments: [
        ("k: []\n", [YAMLValue]()),
        ("k: [ ]\n", []),
        ("k: [a, 'b c', \"d\", ]\n", [.plain("a"), .string("b c"), .string("d")]),
        ("k: [a,b]\n", [.plain("a"), .plain("b")]),
        ("k: [null, ~, '', x y]\n", [.null, .null, .string(""), .plain("x y")]),
        ("k: [a, # comment\n  b,\n  'c\n   d'\n]\n", [.plain("a"), .plain("b"), .string("c d")]),
        ("k: [one\n  two, three]\n", [.plain("one two"), .plain("three")]),
        ("k: [http://x, a:b, -1, ?q, :c]\n", [.plain("http://x"), .plain("a:b"), .plain("-1"), .plain("?q"), .plain(":c")]),
        ("k: [a] # done\n", [.plain("a")]),
        ("k:\n  [a, b]\n", [.plain("a"), .plain("b")]),
        ("k: [\n  a,\n  b\n]\n", [.plain("a"), .plain("b")]),
        ("k: [\n  a\n, b]\n", [.plain("a"), .plain("b")]),
    ])
    func flowLists(_ yaml: String, _ expected: [YAMLValue]) throws {
        #expect(try value(yaml) == .list(expected))
    }

    @Test(arguments: [
        ("k:\n  - a\n  - 'b c'\n  - \"d\"\n", [YAMLValue.plain("a"), .string("b c"), .string("d")]),
        ("k:\n- a\n- b\nnext: 1\n", [.plain("a"), .plain("b")]),
        ("k:\n  -\n  - ~\n  - null # c\n", [.null, .null, .null]),
        ("k:\n  - a\n\n  # comment\n  - b\n", [.plain("a"), .plain("b")]),
        ("k:\n  - long\n    item\n  - x\n", [.plain("long item"), .plain("x")]),
        ("k:\n  -\n    below\n", [.plain("below")]),
        ("k:\n  - 'multi\n    line'\n", [.string("multi line")]),
        ("k: # comment\n  - a\n", [.plain("a")]),
    ])
    func blockLists(_ yaml: String, _ expected: [YAMLValue]) throws {
        #expect(try value(yaml) == .list(expected))
    }

    @Test func keepsEntryOrderAndLines() throws {
        let doc = try FrontmatterCodec.parse("---\nz: 1\na: |\n  x\n  y\nm:\n  - q\nlast: 'v'\n---\n")
        #expect(doc.entries.map(\.key) == ["z", "a", "m", "last"])
        #expect(doc.entries.map(\.line) == [2, 3, 6, 8])
    }
}
