/// Output made outside this process and printed as it is, never turned into a string (the
/// engine's `--json` list, in a descriptor it passed over the socket: tens of MB at 100,000 tasks).
/// The system layer prints it without copying it through this process when it can.
public protocol PreparedOutput: AnyObject, Sendable {
    var byteCount: Int { get }
    /// Its bytes, read whole; nil when they cannot be read (for callers that keep the output).
    func bytes() -> [UInt8]?
}
