/// The one shape of everything orange prints under `--json` (docs/json.md): an object whose first
/// member is `"schema": 1`, then the command's own members (`task`, `tasks`, `project`, …). An
/// error is `{"schema": 1, "error": {"kind": …, "message": …}}`; a warning on stderr and each
/// `orange watch` event line are envelopes too. The number only rises when a member changes
/// meaning or goes away; new members may be added within a schema.
public enum JSONEnvelope {
    public static let schema: Int64 = 1

    /// The command's members under the envelope. Every command returns an object; anything else
    /// is a programming error, kept visible under `value` rather than lost.
    public static func wrap(_ payload: JSONValue) -> JSONValue {
        guard case .object(let pairs) = payload else {
            assertionFailure("a --json payload must be an object, got \(payload.rendered())")
            return .object([("schema", .int(schema)), ("value", payload)])
        }
        return .object([("schema", .int(schema))] + pairs.filter { $0.0 != "schema" })
    }

    /// Why a command failed: `kind` is `usage` (exit status 2: the command line is wrong) or
    /// `failure` (exit status 1: the command could not do it).
    public static func error(_ message: String, usage: Bool) -> JSONValue {
        wrap(.object([("error", .object([("kind", .string(usage ? "usage" : "failure")), ("message", .string(message))]))]))
    }

    /// A warning line on stderr (a command that still succeeded).
    public static func warning(_ message: String) -> JSONValue {
        wrap(.object([("warning", .string(message))]))
    }
}
