import OrangeCore
import Testing

@Suite struct TerminalSafeTests {
    @Test func controlsAndOverridesAreShownNotSent() {
        #expect(TerminalSafe.text("plain text\twith tab\nand lines") == "plain text\twith tab\nand lines")
        #expect(TerminalSafe.text("red \u{1B}[31mX\u{1B}[0m") == "red \\u{1b}[31mX\\u{1b}[0m")
        #expect(TerminalSafe.text("a\rb\u{7}c\u{7F}d\u{9B}e\u{0}") == "a\\u{d}b\\u{7}c\\u{7f}d\\u{9b}e\\u{0}")
        #expect(TerminalSafe.text("abc\u{202E}def\u{2066}") == "abc\\u{202e}def\\u{2066}")
        #expect(TerminalSafe.inline("two\nlines\tand tab") == "two\\u{a}lines\\u{9}and tab")
        #expect(TerminalSafe.text("é 😀 \u{5D0} ok") == "é 😀 \u{5D0} ok")
    }

    @Test func jsonNeverCarriesARawControl() throws {
        let text = "a\u{1B}b\u{9B}c\u{202E}d\u{2028}"
        let rendered = JSONValue.string(text).rendered()
        #expect(!rendered.unicodeScalars.contains { TerminalSafe.isUnsafe($0) })
        #expect(try JSONValue.parse(rendered) == .string(text))
    }
}
