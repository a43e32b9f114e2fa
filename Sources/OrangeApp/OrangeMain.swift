import OrangeCore

/// Entry point placeholder replaced by the CLI dispatcher.
public enum OrangeMain {
    public static func run() {}
}
