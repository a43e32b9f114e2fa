/// How `orange task merge` finishes a project's tasks.
public enum MergeRoute: String, CaseIterable, Sendable, Hashable {
    /// orange merges and pushes to `origin/<default>` itself (refused where the branch is protected).
    case origin
    /// Through the task's pull request: `gh pr merge` (opening the PR first when there is none).
    case pr

    public static var allNames: String { allCases.map(\.rawValue).joined(separator: "|") }
}

/// The flag `gh pr merge` is given.
public enum PullRequestMergeStrategy: String, CaseIterable, Sendable, Hashable {
    case merge, squash, rebase

    public static var allNames: String { allCases.map(\.rawValue).joined(separator: "|") }
    public var ghFlag: String { "--" + rawValue }
}

/// A project's merge settings (`projects.json`: `"merge_via"`, `"pr_merge"`, written only when
/// not the defaults, so registries written before them stay byte for byte).
public struct ProjectMergeSettings: Hashable, Sendable {
    public var route: MergeRoute
    public var strategy: PullRequestMergeStrategy

    public init(route: MergeRoute = .origin, strategy: PullRequestMergeStrategy = .merge) {
        self.route = route
        self.strategy = strategy
    }

    /// The registry keys that differ from the defaults.
    public var registryPairs: [(String, JSONValue)] {
        (route == .origin ? [] : [("merge_via", .string(route.rawValue))])
            + (strategy == .merge ? [] : [("pr_merge", .string(strategy.rawValue))])
    }

    /// Every setting, for `--json` output.
    public var displayPairs: [(String, JSONValue)] {
        [("merge_via", .string(route.rawValue)), ("pr_merge", .string(strategy.rawValue))]
    }

    /// Reads the keys of one registry entry; a reason when a value is unknown.
    public static func from(json: JSONValue) -> Result<ProjectMergeSettings, ProjectDecodeError> {
        var settings = ProjectMergeSettings()
        if let text = json["merge_via"]?.stringValue {
            guard let route = MergeRoute(rawValue: text) else { return .failure(.init(reason: "merge_via must be \(MergeRoute.allNames)")) }
            settings.route = route
        }
        if let text = json["pr_merge"]?.stringValue {
            guard let strategy = PullRequestMergeStrategy(rawValue: text) else {
                return .failure(.init(reason: "pr_merge must be \(PullRequestMergeStrategy.allNames)"))
            }
            settings.strategy = strategy
        }
        return .success(settings)
    }
}
