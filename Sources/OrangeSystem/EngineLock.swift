import OrangeCore

/// Only one engine per `ORANGE_HOME`, held for the life of `orange watch` (or of a dashboard
/// that runs the engine): a `SingleInstanceClaim` on the home's names, which nothing on disk can
/// delete and the kernel frees when the holder dies (docs/decisions.md). The pid is also written
/// to `.engine.lock` for people and scripts; nothing relies on that file.
public final class EngineLock {
    private let claim: SingleInstanceClaim

    public init(home: String) throws {
        try FileSystem.makeDirectories(home)
        let layout = DataDirectory(home: home)
        do {
            claim = try SingleInstanceClaim(names: layout.engineClaimNames())
        } catch let held as SingleInstanceClaim.Held {
            throw AnotherEngineRuns(holder: held)
        }
        try? AtomicFile.write("\(claim.pid)\n", to: layout.engineLockFile)
    }

    /// The engine running for `home`, or nil: how `watch sync` and the dashboard find out,
    /// without ever taking the claim (a probe cannot make a starting engine give up).
    public static func runningEngine(home: String) throws -> SingleInstanceClaim.Held? {
        guard FileSystem.isDirectory(home) else { return nil }
        return try SingleInstanceClaim.holder(of: DataDirectory(home: home).engineClaimNames())
    }

    /// `pid 4242`, or why there is none.
    public static func describe(_ held: SingleInstanceClaim.Held) -> String {
        held.pid.map { "pid \($0)" } ?? "pid unknown"
    }
}

/// `orange watch` (or a dashboard that would run the engine) found another engine holding the home.
public struct AnotherEngineRuns: Error, Sendable, CustomStringConvertible {
    public var holder: SingleInstanceClaim.Held

    public var description: String {
        "another orange engine is running for this ORANGE_HOME (\(EngineLock.describe(holder)))"
    }
}
