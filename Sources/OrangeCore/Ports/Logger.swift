public enum LogLevel: Int, Comparable, Sendable, CaseIterable {
    case debug, info, warn, error

    public var name: String {
        switch self {
        case .debug: return "debug"
        case .info: return "info"
        case .warn: return "warn"
        case .error: return "error"
        }
    }

    public init?(name: String) {
        guard let level = LogLevel.allCases.first(where: { $0.name == name.lowercased() }) else { return nil }
        self = level
    }

    public static func < (a: LogLevel, b: LogLevel) -> Bool { a.rawValue < b.rawValue }
}

/// orange's diagnostic log (`orange.log`, JSON Lines). Passed in, never global.
public protocol Logger: Sendable {
    func log(_ level: LogLevel, _ component: String, _ message: String, _ context: [(String, JSONValue)])
}

extension Logger {
    public func info(_ component: String, _ message: String, _ context: [(String, JSONValue)] = []) {
        log(.info, component, message, context)
    }
    public func warn(_ component: String, _ message: String, _ context: [(String, JSONValue)] = []) {
        log(.warn, component, message, context)
    }
    public func error(_ component: String, _ message: String, _ context: [(String, JSONValue)] = []) {
        log(.error, component, message, context)
    }
    public func debug(_ component: String, _ message: String, _ context: [(String, JSONValue)] = []) {
        log(.debug, component, message, context)
    }
}
