import OrangeCore

/// The real shared tasks folders: those `orange sync init` configured in the data folder, each
/// worked by `TaskSync` (git in the folder, under its lock).
struct GitSharedTasksFolders: SharedTasksFolders {
    let home: String
    let runner: any ProcessRunning
    let environment: [String: String]
    let clock: any TimeSource

    func names() -> [String] { SyncRepository.all(home: home).map(\.name) }

    func syncRound(_ name: String, machine: String) throws -> SharedTasksRound {
        guard let repository = SyncRepository.named(name, home: home) else {
            throw OrangeError("\(name) is no longer shared")
        }
        return try TaskSync(repository: repository, machine: machine, runner: runner, environment: environment, clock: clock).once()
    }
}
