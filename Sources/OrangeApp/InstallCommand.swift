import OrangeCore
import OrangeSystem

extension Commands {
    /// Writes the orange skill into each harness's skills folder (`~/.claude/skills/orange/SKILL.md`, …).
    func install() throws -> CommandResult {
        let all = try context.harnesses().filter { $0.skillsDirectory != nil }
        let chosen: [Harness]
        if let name = invocation.value("harness") {
            guard let harness = all.first(where: { $0.name == name }) else {
                throw OrangeError("unknown harness '\(name)'; built-in: \(all.map(\.name).joined(separator: ", "))")
            }
            chosen = [harness]
        } else {
            chosen = all.filter { context.isInstalled($0.binary) }
            if chosen.isEmpty {
                throw OrangeError("no coding agent found on PATH (\(all.map(\.binary).joined(separator: ", "))); pass --harness <name> to install anyway")
            }
        }
        guard let home = context.environment["HOME"], home.hasPrefix("/") else { throw OrangeError("HOME is not set") }
        var written: [String] = []
        for harness in chosen {
            let directory = "\(home)/\(harness.skillsDirectory!)/orange"
            try FileSystem.makeDirectories(directory, mode: 0o755)
            try AtomicFile.write(SkillText.markdown(harness: harness.name), to: directory + "/SKILL.md", mode: 0o644)
            written.append(directory + "/SKILL.md")
        }
        return CommandResult(
            text: written.map { "Installed \($0)\n" }.joined() + "Installed the orange skill for \(chosen.count) harness(es).\n",
            json: .object([("installed", .array(written.map { .string($0) }))]))
    }
}
