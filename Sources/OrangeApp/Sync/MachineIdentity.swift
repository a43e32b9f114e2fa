import OrangeCore
import OrangeSystem

/// This machine's id among those sharing a tasks folder: made once and kept in the data folder
/// (`$ORANGE_HOME/machine-id`, which never travels); `ORANGE_MACHINE_ID` overrides it (tests,
/// or a person who wants a readable name).
enum MachineIdentity {
    static let variable = "ORANGE_MACHINE_ID"

    static func file(home: String) -> String { home + "/machine-id" }

    /// The id, made and stored if there is none yet.
    static func id(home: String, environment: [String: String]) throws -> String {
        if let given = environment[variable].flatMap(valid) { return given }
        if let stored = (try? FileSystem.readText(file(home: home))).flatMap({ valid($0.trimmingSpaces()) }) { return stored }
        let host = ((try? FileSystem.readText("/proc/sys/kernel/hostname")) ?? "").trimmingSpaces()
        let random = String(UInt32.random(in: 0...UInt32.max), radix: 16)
        let made = valid(host.filter { $0.isLetter || $0.isNumber || $0 == "-" }.prefix(40) + "-" + random) ?? "machine-" + random
        try FileSystem.makeDirectories(home)
        try AtomicFile.write(made + "\n", to: file(home: home))
        return made
    }

    /// The stored or given id, without making one.
    static func existing(home: String, environment: [String: String]) -> String? {
        environment[variable].flatMap(valid) ?? (try? FileSystem.readText(file(home: home))).flatMap { valid($0.trimmingSpaces()) }
    }

    /// 1 to 64 letters, digits, `-`, `_` or `.`: safe in a commit message and a YAML scalar.
    static func valid(_ text: String) -> String? {
        let ok =
            !text.isEmpty && text.count <= 64
            && text.unicodeScalars.allSatisfy { $0.isASCII && (CharacterSet.idCharacters.contains($0)) }
        return ok ? text : nil
    }
}

private enum CharacterSet {
    static let idCharacters = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.".unicodeScalars)
}
