import OrangeSystem

/// How much work a fuzz test does: a short run by default, so `swift test` stays quick, and as
/// long as asked with `ORANGE_FUZZ_ITERATIONS=<n>`. `ORANGE_FUZZ_SEED=<n>` replays another
/// seed (every failure message names the seed and the iteration).
public enum FuzzBudget {
    public static func iterations(default value: Int) -> Int {
        ProcessEnvironment.current()["ORANGE_FUZZ_ITERATIONS"].flatMap { Int($0) }.map { max(1, $0) } ?? value
    }

    public static func seed(default value: UInt64) -> UInt64 {
        ProcessEnvironment.current()["ORANGE_FUZZ_SEED"].flatMap { UInt64($0) } ?? value
    }
}
