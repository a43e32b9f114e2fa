import OrangeCore
import OrangeSystem

/// Answers the project commands' questions about repositories by running git.
public struct GitRepositoryInspector: RepositoryInspector {
    let runner: any ProcessRunning
    let environment = GitEnvironment.variables()

    public init(runner: any ProcessRunning) {
        self.runner = runner
    }

    public func topLevel(of directory: String) -> String? {
        guard let result = try? runner.run(["git", "-C", directory, "rev-parse", "--show-toplevel"], environment: environment, input: nil, timeoutSeconds: 30),
              result.succeeded
        else { return nil }
        let path = result.stdout.trimmingTrailingNewlines()
        return path.isEmpty ? nil : path
    }

    public func defaultBranch(ofRepository path: String) -> String {
        if let result = try? runner.run(["git", "-C", path, "symbolic-ref", "--short", "refs/remotes/origin/HEAD"], environment: environment, input: nil, timeoutSeconds: 30),
           result.succeeded {
            let ref = result.stdout.trimmingTrailingNewlines()
            if ref.hasPrefix("origin/"), BranchName.problem(with: String(ref.dropFirst(7))) == nil { return String(ref.dropFirst(7)) }
        }
        for candidate in ["main", "master"] {
            if let result = try? runner.run(["git", "-C", path, "rev-parse", "--verify", "--quiet", "refs/heads/\(candidate)"], environment: environment, input: nil, timeoutSeconds: 30),
               result.succeeded { return candidate }
        }
        return "main"
    }
}
