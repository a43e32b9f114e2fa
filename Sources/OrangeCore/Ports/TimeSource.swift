/// Where time comes from. Core never reads a clock; callers pass one in (a fake in tests).
public protocol TimeSource: Sendable {
    /// Wall-clock time, for timestamps written to files.
    func now() -> Timestamp
    /// A monotonic reading in nanoseconds, for latencies, debounce and timeouts.
    func monotonicNanoseconds() -> UInt64
    /// Waits this long: a poll interval while waiting for something else with a deadline.
    func sleep(milliseconds: Int)
}
