import OrangeCore
import OrangeSystem

/// A test hook for the crash tests: with `ORANGE_CRASH_AT=<name>` in its environment, orange
/// kills itself with SIGKILL when it reaches the point of that name, so each window of a
/// multi-step operation can be hit on purpose instead of by a lucky random delay. Without the
/// variable it does nothing.
enum CrashPoint {
    static func reach(_ name: String, _ context: AppContext) {
        ProcessControl.crashPoint(name, environment: context.environment)
    }
}
