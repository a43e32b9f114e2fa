/// Text measured and cut in terminal columns, with anything that could drive the terminal removed.
///
/// Task files are written by agents and people, so a description may hold escape sequences,
/// carriage returns or wide characters. The dashboard must neither be corrupted by them nor let
/// them through to the terminal: every string shown passes through `sanitized` first.
public enum TerminalText {
    /// One line of screen text: line breaks and tabs become spaces, and every other control or
    /// direction override becomes a visible escape, as in all human output (`TerminalSafe`).
    public static func sanitized(_ text: String) -> String {
        var flat = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            flat.append(scalar == "\t" || scalar == "\n" || scalar == "\r" ? " " : scalar)
        }
        return TerminalSafe.inline(String(flat))
    }

    /// Columns a string takes: wide East Asian and emoji characters count 2, combining marks 0.
    public static func width(_ text: String) -> Int {
        text.reduce(0) { $0 + width(of: $1) }
    }

    static func width(of character: Character) -> Int {
        guard let scalar = character.unicodeScalars.first else { return 0 }
        let v = scalar.value
        if v < 0x20 || (0x7F...0x9F).contains(v) { return 0 }
        if (0x0300...0x036F).contains(v) || (0x200B...0x200F).contains(v) { return 0 }
        let wide: [ClosedRange<UInt32>] = [
            0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF,
            0xA000...0xA4CF, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60,
            0xFFE0...0xFFE6, 0x1F300...0x1F64F, 0x1F900...0x1F9FF, 0x20000...0x3FFFD,
        ]
        return wide.contains { $0.contains(v) } ? 2 : 1
    }

    /// At most `columns` wide; a cut string ends in `…`.
    public static func truncated(_ text: String, to columns: Int) -> String {
        guard columns > 0 else { return "" }
        if width(text) <= columns { return text }
        var out = ""
        var used = 0
        for character in text {
            let w = width(of: character)
            if used + w > columns - 1 { break }
            out.append(character)
            used += w
        }
        return out + "…"
    }

    /// Exactly `columns` wide: cut with `…`, or filled with spaces on the right.
    public static func padded(_ text: String, to columns: Int) -> String {
        let cut = truncated(text, to: columns)
        return cut + String(repeating: " ", count: max(0, columns - width(cut)))
    }

    /// Exactly `columns` wide, aligned right.
    public static func leftPadded(_ text: String, to columns: Int) -> String {
        let cut = truncated(text, to: columns)
        return String(repeating: " ", count: max(0, columns - width(cut))) + cut
    }

    /// `5s ago`, `3m ago`, `2h ago`, `4d ago`.
    public static func age(from then: Timestamp, to now: Timestamp) -> String {
        let seconds = max(0, (now.millisecondsSinceEpoch - then.millisecondsSinceEpoch) / 1000)
        if seconds < 60 { return "\(seconds)s ago" }
        if seconds < 3600 { return "\(seconds / 60)m ago" }
        if seconds < 86_400 { return "\(seconds / 3600)h ago" }
        return "\(seconds / 86_400)d ago"
    }
}
