import Glibc
import OrangeCore
import OrangeSystem
import OrangeTestSupport
import Testing

@Suite struct FileLoggerTests {
    static func lines(_ path: String) throws -> [JSONValue] {
        guard FileSystem.status(path) != nil else { return [] }
        return try FileSystem.readText(path).split(separator: "\n").map { try JSONValue.parse(String($0)) }
    }

    @Test func writesOneJSONObjectPerLineWithBaseKeysFirst() throws {
        try withTemporaryDirectory { dir in
            let clock = FakeClock(start: Timestamp(millisecondsSinceEpoch: 1_767_225_600_123))
            let logger = FileLogger(path: dir + "/home/orange.log", minimumLevel: .debug, clock: clock)
            logger.info("task", "created", [("task_id", "abc"), ("msg", "clash"), ("level", 3)])
            let text = try FileSystem.readText(dir + "/home/orange.log")
            #expect(
                text
                    == #"{"ts":"2026-01-01T00:00:00.123Z","level":"info","component":"task","msg":"created","task_id":"abc","ctx_msg":"clash","ctx_level":3}"#
                    + "\n")
            #expect(FileSystem.status(dir + "/home/orange.log")?.mode == 0o600)
            #expect(logger.failedWrites == 0)
        }
    }

    @Test func dropsLinesBelowTheMinimumLevel() throws {
        try withTemporaryDirectory { dir in
            let logger = FileLogger(path: dir + "/orange.log", minimumLevel: .warn, clock: FakeClock())
            logger.debug("cli", "d")
            logger.info("cli", "i")
            logger.warn("cli", "w")
            logger.error("cli", "e")
            let written = try Self.lines(dir + "/orange.log")
            #expect(written.map { $0["msg"]?.stringValue } == ["w", "e"])
            #expect(written.map { $0["level"]?.stringValue } == ["warn", "error"])
        }
    }

    @Test func rotatesToOneOldFileWhenTheNextLineWouldPassTheLimit() throws {
        try withTemporaryDirectory { dir in
            let path = dir + "/orange.log"
            let logger = FileLogger(path: path, minimumLevel: .info, clock: FakeClock(), rotateAtBytes: 1000)
            for i in 0..<40 { logger.info("cli", "message \(i)", [("pad", .string(String(repeating: "x", count: 40)))]) }
            let live = try #require(FileSystem.status(path)).size
            let old = try #require(FileSystem.status(path + ".1")).size
            #expect(live <= 1000 && old <= 1000 && old > 500)
            #expect(FileSystem.status(path + ".2") == nil)
            // The newest lines are all there, in order, across the two files.
            let messages = (try Self.lines(path + ".1") + Self.lines(path)).compactMap { $0["msg"]?.stringValue }
            #expect(messages.last == "message 39")
            let numbers = messages.compactMap { Int($0.split(separator: " ").last!) }
            #expect(numbers == Array((40 - numbers.count)..<40))
            #expect(try FileSystem.listDirectory(dir).filter { !$0.hasSuffix(".lock") } == ["orange.log", "orange.log.1"])
            #expect(logger.failedWrites == 0)
        }
    }

    @Test func writeErrorsAreCountedNotThrown() throws {
        try withTemporaryDirectory { dir in
            try AtomicFile.write("a file, not a folder", to: dir + "/blocker")
            let logger = FileLogger(path: dir + "/blocker/orange.log", minimumLevel: .info, clock: FakeClock())
            logger.info("cli", "lost")
            logger.error("cli", "lost too")
            #expect(logger.failedWrites == 2)
        }
    }

    @Test func concurrentLoggersKeepEveryLineWhole() throws {
        try withTemporaryDirectory { dir in
            let path = dir + "/orange.log"
            let errors = runOnThreads(4) { t in
                let logger = FileLogger(path: path, minimumLevel: .info, clock: FakeClock(), rotateAtBytes: 1_000_000)
                for i in 0..<50 { logger.info("t\(t)", "line \(i)") }
            }
            #expect(errors.isEmpty)
            let written = try Self.lines(path)
            #expect(written.count == 200)
        }
    }
}
