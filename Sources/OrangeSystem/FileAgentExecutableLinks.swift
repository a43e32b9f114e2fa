import Glibc
import OrangeCore

/// The agents' `bin/<key>/orange` links under `$ORANGE_HOME`.
public struct FileAgentExecutableLinks: AgentExecutableLinks {
    public let layout: DataDirectory

    public init(layout: DataDirectory) { self.layout = layout }

    /// The link is replaced with one rename, so an agent running `orange` at that moment finds one.
    public func prepare(for executable: String) throws -> String {
        let directory = layout.agentBinDirectory(forExecutable: executable)
        let link = directory + "/orange"
        if FileSystem.readSymbolicLink(link) == executable { return directory }
        try FileSystem.makeDirectories(directory, mode: mode_t(DataDirectory.directoryMode))
        try FileSystem.replaceSymbolicLink(at: link, pointingTo: executable)
        return directory
    }
}
