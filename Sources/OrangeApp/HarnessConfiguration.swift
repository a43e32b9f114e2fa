import OrangeCore
import OrangeSystem

/// Loads the harness table: the built-ins plus `config.json`'s user-defined ones.
public enum HarnessConfiguration {
    public static func load(_ path: String) throws -> [Harness] {
        guard FileSystem.fileExists(path) else { return Harnesses.builtIns }
        let json: JSONValue
        do { json = try JSONValue.parse(try FileSystem.readText(path)) } catch let error as JSONParseError {
            throw OrangeError("\(path): \(error)")
        }
        do { return try Harnesses.parseConfig(json, file: path) } catch { throw OrangeError(error.description) }
    }
}
