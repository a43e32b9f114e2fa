import OrangeCore
import OrangeSystem

extension Commands {
    /// `orange doctor [--fix]`: checks the whole data folder and reports every problem with its
    /// path, line and reason; exit status 1 while any remain. `--fix` makes the safe repairs,
    /// then checks again and reports what is left.
    func doctor() throws -> CommandResult {
        let layout = DataDirectory(home: context.home)
        // Every other command fails on a data folder that is a file; "no problems" would be a lie.
        if FileSystem.fileExists(context.home) && !FileSystem.isDirectory(context.home) {
            throw OrangeError("ORANGE_HOME '\(context.home)' is not a folder; point ORANGE_HOME at a folder (or remove the file)")
        }
        let found = check(layout)
        var fixed: [(DoctorFinding, String)] = []
        var failed: [(DoctorFinding, String)] = []
        var remaining = found
        if invocation.flag("fix") {
            let repair = DoctorRepair(context: context)
            for finding in found {
                guard let fix = finding.fix else { continue }
                do {
                    fixed.append((finding, try repair.apply(fix)))
                } catch {
                    failed.append((finding, "\(error)"))
                }
            }
            if !fixed.isEmpty || !failed.isEmpty { remaining = check(layout) }
            for (finding, done) in fixed {
                context.logger.info(
                    "doctor", "Repaired",
                    [("path", .string(finding.path)), ("problem", .string(finding.kind.rawValue)), ("done", .string(done))])
            }
        }
        return CommandResult(
            text: Self.doctorText(home: context.home, remaining: remaining, fixed: fixed, failed: failed, fixing: invocation.flag("fix")),
            json: .object([
                ("home", .string(context.home)),
                ("clean", .bool(remaining.isEmpty)),
                ("problems", .array(remaining.map(\.json))),
                ("fixed", .array(fixed.map { Self.withField($0.0.json, "done", $0.1) })),
                ("fix_failed", .array(failed.map { Self.withField($0.0.json, "error", $0.1) })),
            ]),
            exitCode: remaining.isEmpty ? 0 : 1)
    }

    private func check(_ layout: DataDirectory) -> [DoctorFinding] {
        var snapshot = DataDirectoryReader.snapshot(layout, nowMilliseconds: context.clock.now().millisecondsSinceEpoch)
        snapshot.machine = context.stores.claims.machine
        return DataDirectoryCheck.run(snapshot)
    }

    static func doctorText(
        home: String, remaining: [DoctorFinding], fixed: [(DoctorFinding, String)], failed: [(DoctorFinding, String)], fixing: Bool
    ) -> String {
        // Paths and reasons quote names found on disk: one finding stays one line whatever they hold.
        func line(_ finding: DoctorFinding) -> String { TerminalSafe.inline(finding.description) }
        var text = ""
        if !fixed.isEmpty {
            text += "Fixed:\n" + fixed.map { "  \(line($0.0))\n    → \(TerminalSafe.inline($0.1))\n" }.joined()
        }
        if !failed.isEmpty {
            text += "Could not fix:\n" + failed.map { "  \(line($0.0))\n    → \(TerminalSafe.inline($0.1))\n" }.joined()
        }
        if remaining.isEmpty {
            return text + "No problems found in \(TerminalSafe.inline(home)).\n"
        }
        let indent = fixing && (!fixed.isEmpty || !failed.isEmpty) ? "  " : ""
        if !indent.isEmpty { text += "Remaining problems:\n" }
        for finding in remaining {
            text += indent + line(finding) + (finding.fix.map { "  [--fix: \($0.description)]" } ?? "") + "\n"
        }
        let fixable = remaining.filter { $0.fix != nil }.count
        text += "\(remaining.count) problem\(remaining.count == 1 ? "" : "s") in \(TerminalSafe.inline(home))"
        text += fixable > 0 && !fixing ? "; \(fixable) can be repaired with 'orange doctor --fix'.\n" : ".\n"
        return text
    }

    private static func withField(_ json: JSONValue, _ key: String, _ value: String) -> JSONValue {
        guard case .object(var pairs) = json else { return json }
        pairs.append((key, .string(value)))
        return .object(pairs)
    }
}
