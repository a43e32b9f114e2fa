/// Text made safe to print on a terminal.
///
/// Task files, folder names and arguments are written by people, agents and scripts; printed
/// raw, an ESC byte in a description can recolour the terminal, move the cursor, rewrite what
/// was printed before or (on some terminals) answer back as if typed. Every control character
/// (C0 other than line break and tab, DEL, C1) and every Unicode direction override, which can
/// make text read differently from what it is, is shown as a visible escape (`\u{1b}`) instead.
public enum TerminalSafe {
    /// For whole outputs: line breaks and tabs are kept, every other control is escaped.
    public static func text(_ text: String) -> String {
        escape(text) { $0 == "\n" || $0 == "\t" }
    }

    /// For one field inside a line (a path, a name): line breaks and tabs are escaped too, so a
    /// name cannot forge extra output lines.
    public static func inline(_ text: String) -> String {
        escape(text) { _ in false }
    }

    /// Whether a scalar is a terminal control or a direction override.
    public static func isUnsafe(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F: return true
        case 0x202A...0x202E, 0x2066...0x2069: return true  // embeddings, overrides, isolates
        default: return false
        }
    }

    private static func escape(_ text: String, keeping kept: (Unicode.Scalar) -> Bool) -> String {
        // Nearly all text is clean; return it as it is without building a copy.
        guard text.unicodeScalars.contains(where: { isUnsafe($0) && !kept($0) }) else { return text }
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if isUnsafe(scalar) && !kept(scalar) {
                out.append(contentsOf: "\\u{\(String(scalar.value, radix: 16))}".unicodeScalars)
            } else {
                out.append(scalar)
            }
        }
        return String(out)
    }
}
