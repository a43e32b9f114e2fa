import OrangeCore

extension Commands {
    /// `orange log`: the last matching lines of orange.log (and its rotated predecessor).
    func log() throws -> CommandResult {
        var minimum = LogLevel.debug
        if let levelText = invocation.value("level") {
            guard let level = LogLevel(name: levelText) else {
                throw usageError("invalid --level '\(levelText)'; use debug, info, warn or error")
            }
            minimum = level
        }
        var limit = 20
        if let linesText = invocation.value("lines") {
            guard let n = Int(linesText), n > 0 else { throw usageError("--lines must be a positive number (got '\(linesText)')") }
            limit = n
        }
        let component = invocation.value("component")
        let needle = invocation.value("grep")?.lowercased()

        let text = (context.readFile(context.logFile + ".1") ?? "") + (context.readFile(context.logFile) ?? "")
        let match = { (line: String) -> (line: String, entry: JSONValue?)? in
            let entry = try? JSONValue.parse(line)
            if let entry {
                if let level = entry["level"]?.stringValue.flatMap(LogLevel.init(name:)), level < minimum { return nil }
                if let component, entry["component"]?.stringValue != component { return nil }
            } else if minimum > .debug || component != nil {
                return nil
            }
            if let needle, !line.lowercased().contains(needle) { return nil }
            return (line, entry)
        }
        let matches = text.split(separator: "\n").compactMap { match(String($0)) }
        let shown = matches.suffix(limit)
        let json = invocation.wantsJSON
        let render = { (line: String, entry: JSONValue?) in
            json ? (entry ?? .string(line)).rendered() : entry.map(Self.formatLogEntry) ?? line
        }
        if invocation.flag("follow") {
            // Under --json one envelope a line (JSON Lines), each with the `entries` of one line.
            let follow = { (line: String, entry: JSONValue?) in
                json ? JSONEnvelope.wrap(.object([("entries", .array([entry ?? .string(line)]))])).rendered() : render(line, entry)
            }
            followLog(printing: shown.map(follow)) { line in match(line).map(follow) }
            return CommandResult(text: "", json: .null)
        }
        let rendered = shown.map(render)
        let empty = text.isEmpty ? "No log yet (\(context.logFile)).\n" : ""
        return CommandResult(
            text: empty + rendered.map { $0 + "\n" }.joined(),
            json: .object([("entries", .array(shown.map { $0.entry ?? .string($0.line) }))]))
    }

    /// `HH:MM:SS.mmm LEVEL [component] message key=value …`
    static func formatLogEntry(_ entry: JSONValue) -> String {
        let ts = entry["ts"]?.stringValue ?? ""
        let time = ts.count >= 23 ? String(ts.dropFirst(11).prefix(12)) : ts
        let level = (entry["level"]?.stringValue ?? "?").uppercased()
        let component = entry["component"]?.stringValue ?? "?"
        var line = "\(time) \(level) [\(component)] \(entry["msg"]?.stringValue ?? "")"
        for (key, value) in entry.objectValue ?? [] where !["ts", "level", "component", "msg"].contains(key) {
            line += " \(key)=" + (value.stringValue ?? value.rendered())
        }
        return line
    }
}
