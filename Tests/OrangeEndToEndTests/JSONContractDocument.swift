import OrangeCore
import OrangeSystem

/// docs/json.md read as data: each `### orange <command>` section's examples (```json blocks,
/// one envelope each, and ```jsonl blocks, one envelope a line), each `### @name` object, and
/// the `## Errors` example. The contract test checks real output against these, so the document
/// and the commands cannot drift apart unnoticed.
struct JSONContractDocument {
    /// Command path ("task list") → its documented envelopes.
    var commands: [String: [JSONValue]] = [:]
    /// Command path → its documented JSON Lines (watch events).
    var lines: [String: [JSONValue]] = [:]
    /// "@task" → the documented task object.
    var objects: [String: JSONValue] = [:]
    var errors: [JSONValue] = []
    var problems: [String] = []

    static let path: String = {
        // Tests/OrangeEndToEndTests/<this file> → the package root.
        var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(3)
        return parts.joined(separator: "/") + "/docs/json.md"
    }()

    init(text: String) {
        var heading = ""
        var block: (kind: String, lines: [String], start: Int)?
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if var open = block {
                if line == "```" {
                    block = nil
                    add(kind: open.kind, text: open.lines, heading: heading, line: open.start)
                } else {
                    open.lines.append(String(line))
                    block = open
                }
            } else if line == "```json" || line == "```jsonl" {
                block = (String(line.dropFirst(3)), [], index + 1)
            } else if line.hasPrefix("## ") || line.hasPrefix("### ") {
                heading = String(line.drop { $0 == "#" }.dropFirst())
            }
        }
    }

    private mutating func add(kind: String, text: [String], heading: String, line: Int) {
        let values: [JSONValue]
        do {
            values =
                kind == "jsonl"
                ? try text.filter { !$0.isEmpty }.map { try JSONValue.parse($0) } : [try JSONValue.parse(text.joined(separator: "\n"))]
        } catch {
            problems.append("docs/json.md:\(line): the example does not parse: \(error)")
            return
        }
        if heading.hasPrefix("orange ") {
            let command = String(heading.dropFirst("orange ".count))
            if kind == "jsonl" { lines[command, default: []] += values } else { commands[command, default: []] += values }
        } else if heading.hasPrefix("@") {
            objects[heading] = values.first
        } else if heading == "Errors" {
            errors += values
        }
        // Other blocks (the introduction's) illustrate; they are not checked.
    }

    /// Where `actual` differs in shape from `documented`: a member missing or not documented, or
    /// a value of another type. A null on either side matches any type (the value may be unset);
    /// `"@name"` stands for a documented object; `"...": …` allows members of the event's own.
    func mismatches(_ actual: JSONValue, _ documented: JSONValue, at path: String = "") -> [String] {
        if case .string(let name) = documented, name.hasPrefix("@") {
            guard let object = objects[name] else { return ["\(path): \(name) is not documented under '### \(name)'"] }
            return mismatches(actual, object, at: path)
        }
        switch (actual, documented) {
        case (.null, _), (_, .null): return []
        case (.object(let got), .object(let want)):
            let open = want.contains { $0.0 == "..." }
            var found: [String] = []
            for (key, value) in want where key != "..." {
                guard let other = got.first(where: { $0.0 == key })?.1 else {
                    found.append("\(path).\(key): documented, missing")
                    continue
                }
                found += mismatches(other, value, at: path + "." + key)
            }
            if !open {
                for (key, _) in got where !want.contains(where: { $0.0 == key }) { found.append("\(path).\(key): not documented") }
            }
            return found
        case (.array(let got), .array(let want)):
            guard !want.isEmpty else { return got.isEmpty ? [] : ["\(path): documented as always empty"] }
            var found: [String] = []
            for (index, element) in got.enumerated() {
                let tries = want.map { mismatches(element, $0, at: "\(path)[\(index)]") }
                if !tries.contains(where: \.isEmpty) { found += tries.min { $0.count < $1.count } ?? [] }
            }
            return found
        case (.string, .string), (.bool, .bool), (.int, .int), (.int, .double), (.double, .int), (.double, .double): return []
        default: return ["\(path): \(Self.kind(actual)), documented as \(Self.kind(documented))"]
        }
    }

    /// The documented example `actual` matches, if any; else the closest one's mismatches.
    func match(_ actual: JSONValue, among examples: [JSONValue]) -> (index: Int?, problems: [String]) {
        let tries = examples.map { mismatches(actual, $0) }
        if let index = tries.firstIndex(where: \.isEmpty) { return (index, []) }
        return (nil, tries.min { $0.count < $1.count } ?? ["no example is documented"])
    }

    static func kind(_ value: JSONValue) -> String {
        switch value {
        case .null: "null"
        case .bool: "a boolean"
        case .int, .double: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}
