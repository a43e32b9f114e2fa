import OrangeCore
import OrangeSystem
import Testing

@Suite struct DataDirectoryTests {
    @Test func layoutUnderOrangeHomeOrHome() {
        #expect(DataDirectory.from(environment: ["ORANGE_HOME": "/data/o", "HOME": "/home/u"]).home == "/data/o")
        #expect(DataDirectory.from(environment: ["ORANGE_HOME": "", "HOME": "/home/u/"]).home == "/home/u/orange")
        #expect(DataDirectory.from(environment: [:]).home == "/tmp/orange")
        let layout = DataDirectory(home: "/o")
        let id = TaskID(validating: "abc")!, project = ProjectName(validating: "coffee")!
        #expect(layout.projectsFile == "/o/projects.json" && layout.configFile == "/o/config.json")
        #expect(layout.logFile == "/o/orange.log" && layout.workspacesRoot == "/o/workspaces")
        #expect(layout.taskFile(id, in: project) == "/o/tasks/coffee/abc/TASK.md")
        #expect(layout.historyFile(id, in: project) == "/o/tasks/coffee/abc/history.jsonl")
        #expect(layout.taskLockFile(id, in: project) == "/o/tasks/coffee/abc/.lock")
    }
}
