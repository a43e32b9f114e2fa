import Glibc
import OrangeCore
import OrangeSystem
import OrangeTestSupport
import Testing

@Suite struct EngineLockTests {
    @Test func aSecondEngineIsRefusedNamingTheFirst() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let home = directory.path + "/home"
        #expect(try EngineLock.runningEngine(home: home) == nil, "no home, no engine")
        let first = try EngineLock(home: home)
        defer { withExtendedLifetime(first) {} }
        #expect(try FileSystem.readText(home + "/.engine.lock") == "\(getpid())\n")
        #expect(try EngineLock.runningEngine(home: home)?.pid == getpid())
        do {
            _ = try EngineLock(home: home)
            Issue.record("a second engine took the lock")
        } catch let error as AnotherEngineRuns {
            #expect(error.description == "another orange engine is running for this ORANGE_HOME (pid \(getpid()))")
        }
    }

    /// The pid file is for people; deleting it (or the whole of it being replaced) lets nobody in.
    @Test func deletingThePidFileLetsNoSecondEngineIn() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let home = directory.path + "/home"
        let first = try EngineLock(home: home)
        defer { withExtendedLifetime(first) {} }
        try FileSystem.removeTree(home + "/.engine.lock")
        #expect(throws: AnotherEngineRuns.self) { _ = try EngineLock(home: home) }
        #expect(try EngineLock.runningEngine(home: home)?.pid == getpid())
    }

    /// Another path to the same folder is the same home, and so is a folder deleted and made
    /// again in the same place (the running engine reads and writes by path).
    @Test func theSameFolderOrTheSamePathIsTheSameHome() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let home = directory.path + "/home"
        let first = try EngineLock(home: home)
        defer { withExtendedLifetime(first) {} }
        #expect(symlink(home, directory.path + "/alias") == 0)
        #expect(throws: AnotherEngineRuns.self) { _ = try EngineLock(home: directory.path + "/alias") }
        #expect(throws: AnotherEngineRuns.self) { _ = try EngineLock(home: home + "/./") }

        try FileSystem.removeTree(home)
        try FileSystem.makeDirectories(home)
        #expect(throws: AnotherEngineRuns.self) { _ = try EngineLock(home: home) }
        #expect(try EngineLock.runningEngine(home: home)?.pid == getpid())
    }

    @Test func theClaimEndsWithTheLock() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let home = directory.path + "/home"
        do {
            let first = try EngineLock(home: home)
            withExtendedLifetime(first) {}
        }
        #expect(try EngineLock.runningEngine(home: home) == nil)
        let second = try EngineLock(home: home)
        withExtendedLifetime(second) {}
    }
}
