import Glibc
import OrangeCore

/// The folder agents get first on their PATH: `bin/<key>/orange`, a link to the orange executable
/// that spawns them (see `AgentLaunch`).
public enum AgentExecutableLink {
    /// Makes sure the link is there and points at `executable`; returns its folder. The link is
    /// replaced with one rename, so an agent running `orange` at that moment finds one.
    public static func prepare(_ layout: DataDirectory, executable: String) throws(SystemError) -> String {
        let directory = layout.agentBinDirectory(forExecutable: executable)
        let link = directory + "/orange"
        if FileSystem.readSymbolicLink(link) == executable { return directory }
        try FileSystem.makeDirectories(directory, mode: mode_t(DataDirectory.directoryMode))
        try FileSystem.replaceSymbolicLink(at: link, pointingTo: executable)
        return directory
    }
}
