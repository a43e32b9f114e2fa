import OrangeCore
import Testing

/// Every rejected form, with its line and the words of its reason.
@Suite struct FrontmatterErrorTests {
    func failure(_ text: String) -> FrontmatterError? {
        do {
            _ = try FrontmatterCodec.parse(text)
            return nil
        } catch {
            return error
        }
    }

    @Test func missingOpeningFence() {
        for text in ["", "id: x\n", "\n---\na: 1\n---\n", "--\n", " ---\na: 1\n---\n"] {
            #expect(failure(text) == FrontmatterError(line: 1, reason: "missing front matter: the file must start with '---'"))
        }
        #expect(failure("---yaml\na: 1\n---\n")?.line == 1)
    }

    @Test func unclosedFrontMatter() {
        for text in ["---", "---\n", "---\na: 1\n", "---\na: 1\n--- x\n", "---\na: 1\n ---\n"] {
            #expect(failure(text) == FrontmatterError(line: 1, reason: "front matter is not closed by a '---' line"))
        }
    }

    @Test(arguments: [
        // (front matter, line, words the reason must contain)
        ("a: 1\na: 2\n", 3, "duplicate key 'a' (first on line 2)"),
        ("id: x\nstatus: a\nb: 1\nstatus: b\n", 5, "duplicate key 'status' (first on line 3)"),
        ("meta:\n  owner: me\n", 3, "nested maps are not supported in TASK.md front matter (key 'meta')"),
        ("meta:\n  owner:\n", 3, "nested maps are not supported in TASK.md front matter (key 'meta')"),
        ("meta: x\n  owner: me\n", 3, "nested maps are not supported in TASK.md front matter (key 'meta')"),
        ("meta: 'x'\n  owner: me\n", 3, "nested maps are not supported in TASK.md front matter (key 'meta')"),
        ("meta:\n  - a\n  b: c\n", 4, "nested maps are not supported in TASK.md front matter (key 'meta')"),
        ("k: a: b\n", 2, "the value of 'k' contains ': '"),
        ("k: a:\n", 2, "the value of 'k' contains ': '"),
        ("k:\n  - a: 1\n", 3, "list items that are maps are not supported in TASK.md front matter (key 'k')"),
        ("k:\n  - - a\n", 3, "nested lists are not supported in TASK.md front matter (key 'k')"),
        ("k:\n  - [a]\n", 3, "nested lists are not supported in TASK.md front matter (key 'k')"),
        ("k:\n  -\n    - a\n", 4, "nested lists are not supported in TASK.md front matter (key 'k')"),
        ("k: [a, [b]]\n", 2, "nested lists are not supported in TASK.md front matter (key 'k')"),
        ("k: [a, - b]\n", 2, "nested lists are not supported in TASK.md front matter (key 'k')"),
        ("k: [a: 1]\n", 2, "maps inside lists are not supported in TASK.md front matter (key 'k')"),
        ("k: [a, {b: 1}]\n", 2, "flow maps ('{…}') are not supported in TASK.md front matter (key 'k')"),
        ("k: {a: 1}\n", 2, "flow maps ('{…}') are not supported in TASK.md front matter (key 'k')"),
        ("k: &anchor x\n", 2, "anchors ('&anchor') are not supported in TASK.md front matter (key 'k')"),
        ("k: *ref\n", 2, "aliases ('*ref') are not supported in TASK.md front matter (key 'k')"),
        ("k: !!str 5\n", 2, "tags ('!!str') are not supported in TASK.md front matter (key 'k')"),
        ("k: !foo x\n", 2, "tags ('!foo') are not supported in TASK.md front matter (key 'k')"),
        ("k: [!foo x]\n", 2, "tags ('!foo') are not supported"),
        ("k:\n  - &a x\n", 3, "anchors ('&a') are not supported"),
        ("k:\n  *ref\n", 3, "aliases ('*ref') are not supported"),
        ("&a k: 1\n", 2, "anchors ('&a') are not supported"),
        ("%YAML 1.2\n", 2, "YAML directives ('%YAML') are not supported"),
        ("a: 1\n--- # second\n", 3, "a second YAML document ('---') is not supported"),
        ("a: 1\n...\n", 3, "the document end marker '...' is not supported"),
        ("a: 1\n\tb: 2\n", 3, "tabs are not allowed for indentation"),
        ("k:\n\t- a\n", 3, "tabs are not allowed for indentation"),
        ("k:\n \t- a\n", 3, "tabs are not allowed for indentation"),
        ("k: 'open\n", 2, "unterminated single-quoted value of 'k'"),
        ("x: 1\nk: \"open\nmore\n", 3, "unterminated double-quoted value of 'k'"),
        ("k: [a, b\n", 2, "the list of 'k' is not closed by ']'"),
        ("k: [a, b\nnext: 1\n", 2, "the list of 'k' is not closed by ']'"),
        ("k: [a,\nnext: 1\n", 2, "the list of 'k' is not closed by ']'"),
        ("k: 'open\nnext: 1\n", 2, "unterminated single-quoted value of 'k'"),
        ("k: [a, 'b\n", 2, "unterminated single-quoted value of 'k'"),
        ("k: [a,, b]\n", 2, "empty item in the list of 'k'"),
        ("k: [,]\n", 2, "empty item in the list of 'k'"),
        ("k: [\"a\" 'b']\n", 2, "expected ',' or ']' between the items of 'k'"),
        ("k: ['a' b]\n", 2, "expected ',' or ']' between the items of 'k'"),
        ("k: [a] b\n", 2, "unexpected text after the closing ']' in the value of 'k'"),
        ("k: 'a' b\n", 2, "unexpected text after the closing quote in the value of 'k'"),
        ("k: 'a'# c\n", 2, "unexpected text after the closing quote"),
        ("just some words\n", 2, "expected 'key: value' but found 'just some words'"),
        ("two words: x\n", 2, "invalid key 'two words': keys may only contain letters, digits, '_', '.' and '-'"),
        ("k:v\n", 2, "expected a space after 'k:'"),
        ("\"k\": v\n", 2, "quoted keys are not supported"),
        ("? k\n", 2, "complex keys ('? ') are not supported"),
        ("- a\n", 2, "list item without a key"),
        ("[a]: b\n", 2, "a list cannot be used as a key"),
        ("{a: b}\n", 2, "flow maps ('{…}') are not supported"),
        ("  a: 1\n", 2, "unexpected indentation"),
        ("k: 'a'\n  more\n", 3, "unexpected indented text after the value of 'k'"),
        ("k: [a]\n  - b\n", 3, "unexpected list item after the value of 'k'"),
        ("k: - a\n", 2, "a list cannot start on the same line as 'k:'"),
        ("k: @x\n", 2, "'@' cannot start an unquoted value (key 'k'); put the value in quotes"),
        ("k: `x`\n", 2, "'`' cannot start an unquoted value"),
        ("k: %x\n", 2, "'%' cannot start an unquoted value"),
        ("k: ]\n", 2, "']' cannot start an unquoted value"),
        ("k: [@x]\n", 2, "'@' cannot start an unquoted item in the list of 'k'"),
        ("k: \"\\q\"\n", 2, "unknown escape '\\q' in the double-quoted value of 'k'"),
        ("k: \"\\x4\"\n", 2, "invalid escape '\\x4\"' in the double-quoted value of 'k': expected 2 hexadecimal digits"),
        ("k: \"\\uD800\"\n", 2, "escape '\\uD800' in the value of 'k' is not a valid Unicode character"),
        ("k: |x\n  a\n", 2, "unexpected text after the block scalar header '|' of 'k'"),
        ("k: |0\n  a\n", 2, "the indentation indicator of 'k' must be 1 to 9, not 0"),
        ("k: |\n\n    \n  a\n", 5, "a blank line at the start of the block scalar of 'k' has more spaces"),
        ("k:\n  - |\n    a\n", 3, "block scalars ('|', '>') are not supported inside lists (key 'k')"),
        ("k:\n  - 'a'\n   - b\n", 4, "the items of 'k' must all start at the same column"),
        ("k:\n  - 'a'\n    b\n", 4, "unexpected indentation in the list of 'k'"),
        ("k:\n  - a\n  b\n", 4, "expected a list item ('- ') in the list of 'k'"),
        ("k: a\u{7}b\n", 2, "control character U+0007 is not allowed in front matter"),
        ("a: 1\n# \u{1B}[31m\n", 3, "control character U+001B is not allowed"),
        ("k: \u{85}x\u{9F}\n", 2, "control character U+009F is not allowed"),
    ])
    func rejects(_ yaml: String, _ line: Int, _ words: String) {
        let error = failure("---\n" + yaml + "---\nbody\n")
        #expect(error?.line == line, "\(yaml.debugDescription)")
        #expect(error?.reason.contains(words) == true, "\(String(describing: error)) lacks \(words)")
    }

    @Test func errorsDescribeThemselvesWithTheLine() {
        let error = failure("---\nid: a\nmeta:\n  owner: me\n---\n")
        #expect(error?.description == "line 4: nested maps are not supported in TASK.md front matter (key 'meta')")
    }

    /// No input crashes or hangs: every prefix of a tricky file either parses or fails with a
    /// line inside the file.
    @Test func everyPrefixOfATrickyFileParsesOrFailsCleanly() {
        let text = """
            ---
            a: 'x''y
              z'
            b: "q\\"\\
              r\\x41"
            c: |2-
                d
               e
            f: >+
              g

            h: [i, 'j', "k",
              l m, ]
            n:
            - o
            -
              p
            ---
            body
            """
        let scalars = Array(text.unicodeScalars)
        for end in 0...scalars.count {
            let prefix = String(String.UnicodeScalarView(scalars[..<end]))
            if let error = failure(prefix) {
                #expect(error.line >= 1 && error.line <= 20)
                #expect(!error.reason.isEmpty)
            }
        }
        #expect(failure(text) == nil)
    }
}
