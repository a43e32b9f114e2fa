import Glibc
import OrangeCore

/// The real clock: `CLOCK_REALTIME` for timestamps, `CLOCK_MONOTONIC` for durations.
public struct SystemClock: TimeSource {
    public init() {}

    public func now() -> Timestamp {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Timestamp(millisecondsSinceEpoch: Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000)
    }

    public func monotonicNanoseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }

    public func sleep(milliseconds: Int) {
        guard milliseconds > 0 else { return }
        // Interrupted by a signal: sleep the rest, measured on the monotonic clock.
        let end = monotonicNanoseconds() + UInt64(milliseconds) * 1_000_000
        let remaining = {
            let left = end - min(end, monotonicNanoseconds())
            return timespec(tv_sec: Int(left / 1_000_000_000), tv_nsec: Int(left % 1_000_000_000))
        }
        _ = valueOrErrno(remaining: remaining) { (request: timespec) in
            var request = request
            return nanosleep(&request, nil)
        }
    }
}

/// Task ids from the kernel's random source (`getrandom(2)` through the standard library).
public struct SystemTaskIDs: Sendable {
    public init() {}

    public func next() -> TaskID {
        var rng = SystemRandomNumberGenerator()
        return TaskID.generate(using: &rng)
    }
}
