/// The `## Review` section of a task's body: one `### Round N` per `orange task request-changes`,
/// so the agent (and the next reviewer) reads every round's request where the task is written.
public enum ReviewNotes {
    public static let heading = "## Review"
    static let roundPrefix = "### Round "

    /// How many rounds the body's review section already holds.
    public static func rounds(in body: String) -> Int {
        let lines = body.split(separator: "\n", omittingEmptySubsequences: false)
        guard let range = sectionRange(lines) else { return 0 }
        return lines[range].filter { $0.hasPrefix(roundPrefix) }.count
    }

    /// The body with round `rounds(in:) + 1` added at the end of the review section (the section
    /// is added at the end of the body when there is none). Returns the new body and the round.
    public static func appending(_ request: String, at time: Timestamp, to body: String) -> (body: String, round: Int) {
        let round = rounds(in: body) + 1
        var lines = body.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let entry =
            ["\(roundPrefix)\(round) (\(time.rfc3339))", ""]
            + request.trimmingSpaces().split(separator: "\n", omittingEmptySubsequences: false).map(String.init) + [""]
        if let range = sectionRange(lines[...].map { Substring($0) }) {
            var end = range.upperBound
            // Trailing blank lines of the section stay after the new round.
            while end > range.lowerBound + 1, lines[end - 1].trimmingSpaces().isEmpty { end -= 1 }
            lines.insert(contentsOf: [""] + entry, at: end)
        } else {
            while let last = lines.last, last.trimmingSpaces().isEmpty { lines.removeLast() }
            lines += (lines.isEmpty ? [] : [""]) + [heading, ""] + entry
        }
        var text = lines.joined(separator: "\n")
        while text.hasSuffix("\n\n") { text.removeLast() }
        if !text.hasSuffix("\n") { text += "\n" }
        return (text, round)
    }

    /// The last round's number and request, for a respawned agent's prompt.
    public static func latest(in body: String) -> (round: Int, request: String)? {
        let lines = body.split(separator: "\n", omittingEmptySubsequences: false)
        guard let range = sectionRange(lines),
            let start = lines[range].lastIndex(where: { $0.hasPrefix(roundPrefix) })
        else { return nil }
        let round = rounds(in: body)
        let text = lines[(start + 1)..<range.upperBound].joined(separator: "\n").trimmingSpaces()
        return (round, text)
    }

    /// The lines of the review section, heading included: up to the next heading of level 1 or 2.
    private static func sectionRange(_ lines: [Substring]) -> Range<Int>? {
        guard let start = lines.firstIndex(where: { $0.trimmingTrailingSpaces() == heading }) else { return nil }
        var end = start + 1
        while end < lines.count, !(lines[end].hasPrefix("# ") || lines[end].hasPrefix("## ")) { end += 1 }
        return start..<end
    }
}

extension Substring {
    fileprivate func trimmingTrailingSpaces() -> Substring {
        var s = self
        while let last = s.last, last == " " || last == "\t" || last == "\r" { s = s.dropLast() }
        return s
    }
}
