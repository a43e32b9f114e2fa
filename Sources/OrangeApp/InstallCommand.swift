import OrangeCore
import OrangeSystem

extension Commands {
    /// `orange install`: a link to this executable in `<prefix>/bin`, the orange skill in each
    /// harness's skills folder (`~/.claude/skills/orange/SKILL.md`, …), bash and fish completions
    /// and the man page under `<prefix>/share`; every path recorded in the install manifest.
    func install() throws -> CommandResult {
        guard let home = context.environment["HOME"], home.hasPrefix("/") else { throw OrangeError("HOME is not set") }
        let prefix = invocation.value("prefix").map(absolute) ?? home + "/.local"
        let harnesses = try chooseSkillHarnesses()
        let binDirectory = prefix + "/bin"
        let link = binDirectory + "/orange"
        // Checked before anything is written: a real file there is someone else's orange.
        if FileSystem.fileExists(link) && FileSystem.readSymbolicLink(link) == nil {
            throw OrangeError("\(link) exists and is not a link orange made; remove it or choose another --prefix")
        }
        var manifest = try readInstallManifest() ?? InstallManifest()
        var written: [InstallManifest.Entry] = []
        func keep(_ entry: InstallManifest.Entry) throws {
            written.append(entry)
            manifest.record(entry)
            // After each file: an install stopped half way still leaves a manifest of what it wrote.
            try FileSystem.makeDirectories(context.home)
            try AtomicFile.write(manifest.json.prettyRendered() + "\n", to: context.layout.installManifestFile, mode: 0o644)
        }
        func writeFile(_ kind: String, _ text: String, to path: String) throws {
            try FileSystem.makeDirectories(FileSystem.parentDirectory(of: path), mode: 0o755)
            try AtomicFile.write(text, to: path, mode: 0o644)
            try keep(InstallManifest.Entry(kind: kind, path: path, contentHash: Self.contentHash(Array(text.utf8))))
        }

        let target = context.realPath(context.processes.executablePath) ?? context.processes.executablePath
        try FileSystem.makeDirectories(binDirectory, mode: 0o755)
        if FileSystem.readSymbolicLink(link) != target { try FileSystem.replaceSymbolicLink(at: link, pointingTo: target) }
        try keep(InstallManifest.Entry(kind: "binary", path: link, linkTarget: target))
        for harness in harnesses {
            try writeFile("skill", SkillText.markdown(harness: harness.name), to: "\(home)/\(harness.skillsDirectory!)/orange/SKILL.md")
        }
        try writeFile("completion", CompletionScript.render(.bash), to: prefix + "/share/bash-completion/completions/orange")
        try writeFile("completion", CompletionScript.render(.fish), to: prefix + "/share/fish/vendor_completions.d/orange.fish")
        try writeFile("man", ManPage.render(), to: prefix + "/share/man/man1/orange.1")

        let onPath = (context.environment["PATH"] ?? "").split(separator: ":").contains { $0 == binDirectory || $0 == binDirectory + "/" }
        var notes: [String] = []
        if harnesses.isEmpty {
            notes.append("no coding agent found on PATH, so no skill was installed; run 'orange install --harness <name>' once one is")
        }
        if !onPath { notes.append("\(binDirectory) is not on your PATH; add it, e.g. export PATH=\"\(binDirectory):$PATH\" in ~/.bashrc") }
        notes.append("zsh: add 'source <(orange completion zsh)' to ~/.zshrc")
        var text = written.map { entry in
            entry.linkTarget.map { "Linked \(entry.path) -> \($0)\n" } ?? "Wrote \(entry.path) (\(entry.kind))\n"
        }.joined()
        text += notes.map { "Note: \($0)\n" }.joined()
        text += "Installed orange into \(prefix); 'orange uninstall' removes exactly these files.\n"
        return CommandResult(
            text: text,
            json: .object([
                ("prefix", .string(prefix)),
                ("installed", .array(written.map { .object([("kind", .string($0.kind)), ("path", .string($0.path))]) })),
                ("on_path", .bool(onPath)),
                ("manifest", .string(context.layout.installManifestFile)),
                ("notes", .array(notes.map { .string($0) })),
            ]))
    }

    /// `orange uninstall`: removes each path of the manifest that still holds what install wrote.
    func uninstall() throws -> CommandResult {
        guard let manifest = try readInstallManifest() else {
            return CommandResult(
                text: "Nothing to uninstall: \(context.layout.installManifestFile) does not exist.\n",
                json: .object([("removed", .array([])), ("kept", .array([]))]))
        }
        var removed: [String] = []
        var kept: [InstallManifest.Entry] = []
        var reasons: [String] = []
        for entry in manifest.entries.reversed() {
            let exists = FileSystem.fileExists(entry.path) || FileSystem.readSymbolicLink(entry.path) != nil
            guard exists else { continue }  // already gone: nothing to do
            let unchanged: Bool
            if let target = entry.linkTarget {
                unchanged = FileSystem.readSymbolicLink(entry.path) == target
            } else {
                let bytes = FileSystem.readSymbolicLink(entry.path) == nil ? try? FileSystem.readRegularFile(entry.path) : nil
                unchanged = bytes.flatMap { $0 }.map(Self.contentHash) == entry.contentHash
            }
            guard unchanged else {
                kept.append(entry)
                reasons.append("\(entry.path) changed since it was installed; left as it is")
                continue
            }
            try FileSystem.removeTree(entry.path)
            removed.append(entry.path)
            // The skill's own folder (`…/skills/orange`) goes with it once empty.
            let folder = FileSystem.parentDirectory(of: entry.path)
            if entry.kind == "skill", folder.hasSuffix("/orange"), (try? FileSystem.listDirectory(folder))?.isEmpty == true {
                try FileSystem.removeTree(folder)
            }
        }
        if kept.isEmpty {
            try FileSystem.removeTree(context.layout.installManifestFile)
        } else {
            try AtomicFile.write(
                InstallManifest(entries: kept.reversed()).json.prettyRendered() + "\n", to: context.layout.installManifestFile, mode: 0o644)
        }
        let text =
            removed.map { "Removed \($0)\n" }.joined() + reasons.map { "Kept \($0)\n" }.joined()
            + (removed.isEmpty && reasons.isEmpty ? "Nothing left to remove.\n" : "")
        return CommandResult(
            text: text,
            json: .object([
                ("removed", .array(removed.map { .string($0) })),
                ("kept", .array(zip(kept, reasons).map { .object([("path", .string($0.path)), ("reason", .string($1))]) })),
            ]), exitCode: kept.isEmpty ? 0 : 1)
    }

    /// `--harness`, else every installed harness that has a skills folder (none is not an error:
    /// orange itself is still installed).
    private func chooseSkillHarnesses() throws -> [Harness] {
        let all = try context.harnesses().filter { $0.skillsDirectory != nil }
        if let name = invocation.value("harness") {
            guard let harness = all.first(where: { $0.name == name }) else {
                throw OrangeError("unknown harness '\(name)'; built-in: \(all.map(\.name).joined(separator: ", "))")
            }
            return [harness]
        }
        return all.filter { context.processes.isInstalled($0.binary) }
    }

    private func readInstallManifest() throws -> InstallManifest? {
        let path = context.layout.installManifestFile
        guard let text = context.readFile(path) else { return nil }
        guard let json = try? JSONValue.parse(text), let manifest = InstallManifest(json: json) else {
            throw OrangeError("\(path) is not an install manifest this orange understands; nothing was changed")
        }
        return manifest
    }

    static func contentHash(_ bytes: [UInt8]) -> String { String(FNV1a.hash(bytes), radix: 16) }
}
