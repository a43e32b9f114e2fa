/// Where time comes from. Core never reads a clock; callers pass one in (a fake in tests).
public protocol TimeSource: Sendable {
    /// Wall-clock time, for timestamps written to files.
    func now() -> Timestamp
    /// A monotonic reading in nanoseconds, for latencies, debounce and timeouts.
    func monotonicNanoseconds() -> UInt64
}
