/// The timing knobs of the watch reducer, all in nanoseconds of the monotonic clock.
public struct WatchConfiguration: Hashable, Sendable {
    /// One millisecond in nanoseconds.
    public static let millisecond: UInt64 = 1_000_000

    /// S: the trailing quiet period before an incomplete change is read (`--quiet-ms`, default
    /// 30 ms), the time a removal must stay quiet before it is believed, and the action gate.
    public var quietPeriod: UInt64
    /// Quiet needed to end a storm (git checkout, event burst): 100 ms.
    public var stormQuietPeriod: UInt64
    /// A storm is never held longer than this from its first event: 1 s.
    public var stormCap: UInt64
    /// More hints than this within one quiet period start a storm: 50.
    public var stormHintThreshold: Int
    /// Time between periodic sweeps (`--sweep-interval`, default 30 s); `nil` turns them off.
    public var sweepInterval: UInt64?
    /// Delay of the second forced resync in a row: 100 ms (the first runs at once); it doubles.
    public var resyncBackoffInitial: UInt64
    /// The longest resync backoff, and the quiet time after which the backoff starts over: 10 s.
    public var resyncBackoffMaximum: UInt64
    /// A file found half written is waited for up to this many quiet periods (doubling each time).
    public var partialWriteMaximumFactor: UInt64

    /// The defaults above, with the two user knobs overridable.
    public init(
        quietPeriod: UInt64 = 30 * WatchConfiguration.millisecond,
        stormQuietPeriod: UInt64 = 100 * WatchConfiguration.millisecond,
        stormCap: UInt64 = 1_000 * WatchConfiguration.millisecond,
        stormHintThreshold: Int = 50,
        sweepInterval: UInt64? = 30_000 * WatchConfiguration.millisecond,
        resyncBackoffInitial: UInt64 = 100 * WatchConfiguration.millisecond,
        resyncBackoffMaximum: UInt64 = 10_000 * WatchConfiguration.millisecond,
        partialWriteMaximumFactor: UInt64 = 4
    ) {
        self.quietPeriod = quietPeriod
        self.stormQuietPeriod = max(stormQuietPeriod, quietPeriod)
        self.stormCap = max(stormCap, self.stormQuietPeriod)
        self.stormHintThreshold = max(stormHintThreshold, 1)
        self.sweepInterval = sweepInterval.map { max($0, 1) }
        self.resyncBackoffInitial = max(resyncBackoffInitial, 1)
        self.resyncBackoffMaximum = max(resyncBackoffMaximum, self.resyncBackoffInitial)
        self.partialWriteMaximumFactor = max(partialWriteMaximumFactor, 1)
    }
}
