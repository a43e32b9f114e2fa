import OrangeCore
import Testing

@Suite struct ServiceUnitTests {
    @Test func unitRunsWatchWithTheHomeAndRestartsOnFailure() throws {
        let text = try ServiceUnit.text(executable: "/usr/local/bin/orange", home: "/home/u/orange", tmuxSocket: nil, path: "/usr/bin:/bin")
        let lines = text.split(separator: "\n").map(String.init)
        for expected in [
            "[Service]", "Type=simple", "ExecStart=\"/usr/local/bin/orange\" watch", "Restart=on-failure", "RestartSec=2",
            "Environment=\"ORANGE_HOME=/home/u/orange\"", "Environment=\"PATH=/usr/bin:/bin\"", "StandardOutput=journal",
            "[Install]", "WantedBy=default.target",
        ] {
            #expect(lines.contains(expected), "\(expected) missing from:\n\(text)")
        }
        #expect(!text.contains("ORANGE_TMUX_SOCKET"))
        let withSocket = try ServiceUnit.text(executable: "/o", home: "/h", tmuxSocket: "mine", path: nil)
        #expect(withSocket.contains("Environment=\"ORANGE_TMUX_SOCKET=mine\"\n"))
        #expect(!withSocket.contains("PATH="))
    }

    @Test func specifiersDollarsQuotesAndBackslashesAreEscapedForSystemd() throws {
        let text = try ServiceUnit.text(
            executable: "/opt/my tools/50%/$bin/or\"ange\\x", home: "/data/100% \"mine\" $HOME\\x", tmuxSocket: "s%$", path: nil)
        // ExecStart expands both specifiers and variables: both doubled; quotes and backslashes escaped.
        #expect(text.contains("ExecStart=\"/opt/my tools/50%%/$$bin/or\\\"ange\\\\x\" watch\n"), "\(text)")
        // Environment= expands specifiers only: `$` stays as it is.
        #expect(text.contains("Environment=\"ORANGE_HOME=/data/100%% \\\"mine\\\" $HOME\\\\x\"\n"), "\(text)")
        #expect(text.contains("Environment=\"ORANGE_TMUX_SOCKET=s%%$\"\n"), "\(text)")
    }

    @Test func valuesAUnitCannotCarryAreRefused() {
        #expect(throws: ServiceUnit.Unrepresentable.self) {
            try ServiceUnit.text(executable: "orange", home: "/h", tmuxSocket: nil, path: nil)
        }
        #expect(throws: ServiceUnit.Unrepresentable.self) {
            try ServiceUnit.text(executable: "/o", home: "/h\nExecStartPre=/bin/evil", tmuxSocket: nil, path: nil)
        }
    }

    @Test func theDefaultHomeHasTheShortNameAndOthersAHashedOne() {
        #expect(ServiceUnit.fileName(home: "/home/u/orange", defaultHome: "/home/u/orange") == "orange-watch.service")
        #expect(ServiceUnit.fileName(home: "/home/u/orange/", defaultHome: "/home/u/orange") == "orange-watch.service")
        let other = ServiceUnit.fileName(home: "/srv/orange-b", defaultHome: "/home/u/orange")
        #expect(other == "orange-watch-\(FNV1a.hex("/srv/orange-b").prefix(8)).service")
        #expect(other != ServiceUnit.fileName(home: "/srv/orange-c", defaultHome: "/home/u/orange"))
    }
}
