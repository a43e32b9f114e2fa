/// A frame as lines of styled text, so one renderer serves the terminal (escape codes) and
/// the tests (plain golden text).
public struct ScreenFrame: Sendable, Equatable {
    public enum Style: Sendable, Equatable {
        case plain, bold, dim, reverse, green, red, yellow, cyan
    }

    public struct Span: Sendable, Equatable {
        public var text: String
        public var style: Style
    }

    public struct Line: Sendable, Equatable {
        public var spans: [Span] = []

        public init() {}

        public init(_ text: String, _ style: Style = .plain) {
            spans = [Span(text: text, style: style)]
        }

        public mutating func append(_ text: String, _ style: Style = .plain) {
            spans.append(Span(text: text, style: style))
        }

        public var text: String { spans.map(\.text).joined() }

        /// At most `columns` wide, cut span by span so styles stay where they were.
        public func truncated(to columns: Int) -> Line {
            guard width > columns else { return self }
            var out = Line()
            var left = columns
            for span in spans where left > 0 {
                let w = TerminalText.width(span.text)
                if w <= left {
                    out.spans.append(span)
                    left -= w
                } else {
                    out.spans.append(Span(text: TerminalText.truncated(span.text, to: left), style: span.style))
                    left = 0
                }
            }
            return out
        }
        public var width: Int { TerminalText.width(text) }
    }

    public var lines: [Line]
    /// Where the cursor goes (row, column), 0-based; nil hides it.
    public var cursor: (row: Int, column: Int)?

    public init(lines: [Line], cursor: (row: Int, column: Int)? = nil) {
        self.lines = lines
        self.cursor = cursor
    }

    public static func == (a: ScreenFrame, b: ScreenFrame) -> Bool {
        a.lines == b.lines && a.cursor?.row == b.cursor?.row && a.cursor?.column == b.cursor?.column
    }

    /// The frame as text, trailing spaces removed: what a golden test compares.
    public var plainText: String {
        lines.map { line in
            var text = line.text
            while text.hasSuffix(" ") { text.removeLast() }
            return text
        }.joined(separator: "\n")
    }

    /// The bytes that draw the frame from the top-left corner, each line cleared to its end.
    /// With `colour` false (NO_COLOR, or not a colour terminal) only bold, dim and reverse remain.
    public func ansi(colour: Bool) -> String {
        var out = "\u{1B}[?25l\u{1B}[H"
        for (index, line) in lines.enumerated() {
            for span in line.spans {
                let code = Self.code(for: span.style, colour: colour)
                out += code.isEmpty ? span.text : "\u{1B}[\(code)m" + span.text + "\u{1B}[0m"
            }
            out += "\u{1B}[K"
            if index < lines.count - 1 { out += "\r\n" }
        }
        out += "\u{1B}[J"
        if let cursor {
            out += "\u{1B}[\(cursor.row + 1);\(cursor.column + 1)H\u{1B}[?25h"
        }
        return out
    }

    static func code(for style: Style, colour: Bool) -> String {
        switch style {
        case .plain: return ""
        case .bold: return "1"
        case .dim: return "2"
        case .reverse: return "7"
        case .green: return colour ? "32" : ""
        case .red: return colour ? "31" : ""
        case .yellow: return colour ? "33" : ""
        case .cyan: return colour ? "36" : ""
        }
    }
}
