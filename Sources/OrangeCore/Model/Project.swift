/// A registered project: a git repository whose tasks orange runs (`projects.json`).
public struct Project: Hashable, Sendable {
    public var name: ProjectName
    /// Absolute path of the repository's top level, symlinks resolved.
    public var path: String
    public var defaultBranch: String
    /// How many worktrees (and so concurrent agents) the project may have.
    public var poolSize: Int
    /// The modes its tasks inherit unless they or an ancestor set their own.
    public var modes: ProjectModes
    /// How `task merge` finishes its tasks: on origin, or through pull requests.
    public var merging = ProjectMergeSettings()
    /// Run in each task's worktree before its agent starts; nil: none.
    public var setup: WorktreeSetup?

    public static let defaultPoolSize = 2

    public init(
        name: ProjectName, path: String, defaultBranch: String, poolSize: Int = Project.defaultPoolSize,
        modes: ProjectModes = ProjectModes(), setup: WorktreeSetup? = nil
    ) {
        self.name = name
        self.path = path
        self.defaultBranch = defaultBranch
        self.poolSize = poolSize
        self.modes = modes
        self.setup = setup
    }

    /// The `projects.json` form: `{"name", "path", "default_branch", "pool_size"}`, then
    /// `"execution"` and `"branches"` only when they are not the defaults (so a registry written
    /// before modes existed is rewritten byte for byte).
    public var json: JSONValue {
        var pairs: [(String, JSONValue)] = [
            ("name", .string(name.rawValue)), ("path", .string(path)),
            ("default_branch", .string(defaultBranch)), ("pool_size", .int(Int64(poolSize))),
        ]
        if modes.execution != .parallel { pairs.append(("execution", .string(modes.execution.rawValue))) }
        if modes.branches != .flat { pairs.append(("branches", .string(modes.branches.rawValue))) }
        if let setup { pairs.append(("setup", setup.json)) }
        return .object(pairs + merging.registryPairs)
    }

    /// What the project commands print with `--json`: every setting, defaults included.
    public var displayJSON: JSONValue {
        .object(
            [
                ("name", .string(name.rawValue)), ("path", .string(path)),
                ("default_branch", .string(defaultBranch)), ("pool_size", .int(Int64(poolSize))),
                ("execution", .string(modes.execution.rawValue)), ("branches", .string(modes.branches.rawValue)),
                ("setup", setup?.json ?? .null),
            ] + merging.displayPairs)
    }

    /// Reads one `projects.json` entry, validating the name and pool size; nil with a reason otherwise.
    public static func from(json: JSONValue) -> Result<Project, ProjectDecodeError> {
        guard let nameText = json["name"]?.stringValue else { return .failure(.init(reason: "an entry has no \"name\"")) }
        if let problem = ProjectName.problem(with: nameText) { return .failure(.init(reason: problem)) }
        guard let path = json["path"]?.stringValue, path.hasPrefix("/") else {
            return .failure(.init(reason: "project '\(nameText)' has no absolute \"path\""))
        }
        let branch = json["default_branch"]?.stringValue ?? "main"
        if let problem = BranchName.problem(with: branch) { return .failure(.init(reason: "project '\(nameText)': \(problem)")) }
        let pool = json["pool_size"]?.intValue ?? Int64(defaultPoolSize)
        guard pool >= 1 && pool <= 64 else {
            return .failure(.init(reason: "project '\(nameText)': pool_size must be between 1 and 64"))
        }
        var modes = ProjectModes()
        if let text = json["execution"]?.stringValue {
            guard let mode = ExecutionMode(rawValue: text) else {
                return .failure(.init(reason: "project '\(nameText)': execution must be \(ExecutionMode.allNames)"))
            }
            modes.execution = mode
        }
        if let text = json["branches"]?.stringValue {
            guard let model = BranchModel(rawValue: text) else {
                return .failure(.init(reason: "project '\(nameText)': branches must be \(BranchModel.allNames)"))
            }
            modes.branches = model
        }
        var setup: WorktreeSetup?
        if let entry = json["setup"], entry != .null {
            switch WorktreeSetup.from(json: entry, project: nameText) {
            case .success(let value): setup = value
            case .failure(let problem): return .failure(problem)
            }
        }
        var project = Project(
            name: ProjectName(validating: nameText)!, path: path, defaultBranch: branch, poolSize: Int(pool), modes: modes, setup: setup)
        switch ProjectMergeSettings.from(json: json) {
        case .success(let merging): project.merging = merging
        case .failure(let problem): return .failure(.init(reason: "project '\(nameText)': \(problem.reason)"))
        }
        return .success(project)
    }
}

public struct ProjectDecodeError: Error, Hashable, Sendable {
    public var reason: String
}

extension Project {
    /// Reads the whole `projects.json`: a JSON array of entries with unique names. Shared by the
    /// registry and `orange doctor`, so both reject the same files for the same reason.
    public static func decodeRegistry(_ bytes: [UInt8]) -> Result<[Project], ProjectDecodeError> {
        guard let text = String(validating: bytes, as: UTF8.self) else { return .failure(.init(reason: "not valid UTF-8")) }
        let json: JSONValue
        do {
            json = try JSONValue.parse(text)
        } catch {
            return .failure(.init(reason: error.description))
        }
        guard let entries = json.arrayValue else { return .failure(.init(reason: "expected a JSON array of projects")) }
        var projects: [Project] = []
        var seen: Set<ProjectName> = []
        for entry in entries {
            switch from(json: entry) {
            case .success(let project):
                // Two entries with one name would make every lookup ambiguous.
                guard seen.insert(project.name).inserted else {
                    return .failure(.init(reason: "project '\(project.name)' is listed twice"))
                }
                projects.append(project)
            case .failure(let problem):
                return .failure(problem)
            }
        }
        return .success(projects)
    }
}
