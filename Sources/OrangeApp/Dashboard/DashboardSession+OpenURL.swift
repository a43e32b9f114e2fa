import Dispatch
import OrangeCore

extension DashboardSession {
    /// Opens `url` with `xdg-open` when it is installed and a display is there to show it (in the
    /// background: a browser may take its time), else shows the URL to copy.
    func openURL(_ url: String) -> DashboardState.Message {
        let environment = context.environment
        let hasDisplay = environment["DISPLAY"].map { !$0.isEmpty } ?? false || environment["WAYLAND_DISPLAY"].map { !$0.isEmpty } ?? false
        guard hasDisplay, context.processes.locateProgram("xdg-open", environment["PATH"] ?? "") != nil else {
            return DashboardState.Message("PR: " + TerminalSafe.text(url))
        }
        let runner = context.processes.runner
        DispatchQueue.global().async { _ = try? runner.run(["xdg-open", url], environment: [:], input: nil, timeoutSeconds: 30) }
        return DashboardState.Message("opening " + TerminalSafe.text(url))
    }
}
