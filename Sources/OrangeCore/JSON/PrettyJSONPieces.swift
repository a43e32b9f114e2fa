/// Indented JSON written in pieces that join into exactly the bytes `prettyRendered()` gives
/// for the whole. The engine keeps each task's piece of a list between changes and renders
/// only what changed (docs/performance.md, section 6).
public enum PrettyJSONPieces {
    /// An object at `level` opened with `pairs`: `{`, then each pair on its own line, without
    /// the closing (`pairs` must not be empty).
    public static func objectOpening(_ pairs: [(String, JSONValue)], level: Int) -> [UInt8] {
        var writer = JSONByteWriter(indent: "  ", capacity: 1024)
        writer.bytes.append(UInt8(ascii: "{"))
        for (index, (key, value)) in pairs.enumerated() {
            writer.writePair(key, value, level: level, first: index == 0)
        }
        return writer.bytes
    }

    /// The rest of an object `objectOpening` began: more pairs, then its closing.
    public static func closeObject(adding pairs: [(String, JSONValue)], level: Int, to bytes: inout [UInt8]) {
        var writer = JSONByteWriter(indent: "  ", capacity: 0)
        swap(&writer.bytes, &bytes)
        defer { swap(&writer.bytes, &bytes) }
        for (key, value) in pairs { writer.writePair(key, value, level: level, first: false) }
        writer.newline(level)
        writer.bytes.append(UInt8(ascii: "}"))
    }

    /// The start of `--json` output whose envelope holds one array, `{"schema": 1, "<key>": [`;
    /// its elements follow, each after `startElement`, then `closeEnvelope`.
    public static func envelopeOpening(_ key: String, capacity: Int) -> [UInt8] {
        var writer = JSONByteWriter(indent: "  ", capacity: capacity + 64)
        writer.bytes.append(UInt8(ascii: "{"))
        writer.writePair("schema", .int(JSONEnvelope.schema), level: 0, first: true)
        writer.bytes.append(UInt8(ascii: ","))
        writer.newline(1)
        writer.write(string: key)
        writer.bytes.append(contentsOf: ": [".utf8)
        return writer.bytes
    }

    /// What comes before an element of the envelope's array (at level 2).
    public static func startElement(first: Bool, in bytes: inout [UInt8]) {
        if !first { bytes.append(UInt8(ascii: ",")) }
        bytes.append(contentsOf: "\n    ".utf8)
    }

    /// The end of the array and of the envelope, with the final newline a command prints.
    public static func closeEnvelope(empty: Bool, in bytes: inout [UInt8]) {
        bytes.append(contentsOf: (empty ? "]\n}\n" : "\n  ]\n}\n").utf8)
    }
}

extension JSONByteWriter {
    /// One member of an object at `level`, as `write` puts it.
    mutating func writePair(_ key: String, _ value: JSONValue, level: Int, first: Bool) {
        if !first { bytes.append(UInt8(ascii: ",")) }
        newline(level + 1)
        write(string: key)
        bytes.append(UInt8(ascii: ":"))
        if indent != nil { bytes.append(UInt8(ascii: " ")) }
        write(value, level: level + 1)
    }
}
