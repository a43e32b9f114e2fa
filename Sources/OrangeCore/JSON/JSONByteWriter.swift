/// Renders a `JSONValue` into UTF-8 bytes. `task list --ready --json` on 10,000 tasks is megabytes
/// of JSON, and appending to a `String` piece by piece was most of an engine's answer to it
/// (docs/performance.md, section 6); bytes are appended in place and made a string once.
struct JSONByteWriter {
    var bytes: [UInt8] = []
    /// Two spaces per level, or nil for compact JSON.
    let indent: [UInt8]?

    init(indent: String?, capacity: Int = 256) {
        self.indent = indent.map { Array($0.utf8) }
        bytes.reserveCapacity(capacity)
    }

    var string: String { String(decoding: bytes, as: UTF8.self) }

    mutating func write(_ value: JSONValue, level: Int = 0) {
        switch value {
        case .null: append("null")
        case .bool(let b): append(b ? "true" : "false")
        case .int(let v): append(String(v))
        case .double(let v): append(v.isFinite ? String(v) : "null")
        case .string(let s): write(string: s)
        case .array(let items):
            if items.isEmpty { return append("[]") }
            bytes.append(UInt8(ascii: "["))
            for (i, item) in items.enumerated() {
                if i > 0 { bytes.append(UInt8(ascii: ",")) }
                newline(level + 1)
                write(item, level: level + 1)
            }
            newline(level)
            bytes.append(UInt8(ascii: "]"))
        case .object(let pairs):
            if pairs.isEmpty { return append("{}") }
            bytes.append(UInt8(ascii: "{"))
            for (i, (key, value)) in pairs.enumerated() {
                if i > 0 { bytes.append(UInt8(ascii: ",")) }
                newline(level + 1)
                write(string: key)
                bytes.append(UInt8(ascii: ":"))
                if indent != nil { bytes.append(UInt8(ascii: " ")) }
                write(value, level: level + 1)
            }
            newline(level)
            bytes.append(UInt8(ascii: "}"))
        }
    }

    private mutating func append(_ text: String) {
        var text = text
        text.withUTF8 { bytes.append(contentsOf: $0) }
    }

    mutating func newline(_ level: Int) {
        guard let indent else { return }
        bytes.append(UInt8(ascii: "\n"))
        for _ in 0..<level { bytes.append(contentsOf: indent) }
    }

    mutating func write(string s: String) {
        bytes.append(UInt8(ascii: "\""))
        var s = s
        // Printable ASCII without a quote or a backslash (nearly every string) goes in whole.
        let plain = s.withUTF8 { utf8 -> Bool in
            for byte in utf8 where byte < 0x20 || byte > 0x7E || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
                return false
            }
            bytes.append(contentsOf: utf8)
            return true
        }
        if !plain {
            if !s.unicodeScalars.contains(where: JSONValue.needsEscape) {
                s.withUTF8 { bytes.append(contentsOf: $0) }
            } else {
                writeEscaped(s)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    private mutating func writeEscaped(_ s: String) {
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": append("\\\"")
            case "\\": append("\\\\")
            case "\n": append("\\n")
            case "\r": append("\\r")
            case "\t": append("\\t")
            default:
                if JSONValue.needsEscape(scalar) {
                    let hex = String(scalar.value, radix: 16)
                    append("\\u" + String(repeating: "0", count: 4 - hex.count) + hex)
                } else {
                    append(String(scalar))
                }
            }
        }
    }
}
