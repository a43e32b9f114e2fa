import OrangeCore
import OrangeSystem

/// Only one engine per `ORANGE_HOME`, held for the life of `orange watch` (or of a dashboard
/// that runs the engine): a `SingleInstanceClaim` on the home's names, which nothing on disk can
/// delete and the kernel frees when the holder dies (docs/decisions.md). The pid is also written
/// to `.engine.lock` for people and scripts; nothing relies on that file.
final class EngineLock {
    private let claim: SingleInstanceClaim

    init(home: String) throws {
        try FileSystem.makeDirectories(home)
        let layout = DataDirectory(home: home)
        do {
            claim = try SingleInstanceClaim(names: layout.engineClaimNames())
        } catch let held as SingleInstanceClaim.Held {
            throw OrangeError("another orange engine is running for this ORANGE_HOME (\(Self.describe(held)))")
        }
        try? AtomicFile.write("\(claim.pid)\n", to: layout.engineLockFile)
    }

    /// The engine running for `home`, or nil: how `watch sync` and the dashboard find out,
    /// without ever taking the claim (a probe cannot make a starting engine give up).
    static func runningEngine(home: String) throws -> SingleInstanceClaim.Held? {
        guard FileSystem.isDirectory(home) else { return nil }
        return try SingleInstanceClaim.holder(of: DataDirectory(home: home).engineClaimNames())
    }

    /// `pid 4242`, or why there is none.
    static func describe(_ held: SingleInstanceClaim.Held) -> String {
        held.pid.map { "pid \($0)" } ?? "pid unknown"
    }
}
