import Glibc
import OrangeCore
import OrangeSystem
import OrangeTestSupport
import Testing

@Suite struct FileProjectStoreTests {
    static func project(_ name: String, pool: Int = 2) -> Project {
        Project(name: ProjectName(validating: name)!, path: "/src/\(name)", defaultBranch: "main", poolSize: pool)
    }

    @Test func roundTripWithTheDocumentedFormat() throws {
        try withTemporaryDirectory { dir in
            let path = dir + "/home/projects.json"
            let store = FileProjectStore(path: path)
            #expect(try store.list().isEmpty)
            let written = try store.update { $0.append(Self.project("coffee", pool: 3)) }
            #expect(written == [Self.project("coffee", pool: 3)])
            #expect(try store.list() == written)
            #expect(
                try FileSystem.readText(path) == """
                    [
                      {
                        "name": "coffee",
                        "path": "/src/coffee",
                        "default_branch": "main",
                        "pool_size": 3
                      }
                    ]

                    """)
            #expect(FileSystem.status(path)?.mode == 0o600)
            #expect(FileSystem.status(dir + "/home")?.mode == 0o700)
        }
    }

    @Test func unchangedUpdateDoesNotRewrite() throws {
        try withTemporaryDirectory { dir in
            let store = FileProjectStore(path: dir + "/projects.json")
            try store.update { $0 = [Self.project("a")] }
            let inode = FileSystem.status(dir + "/projects.json")?.inode
            try store.update { _ in }
            #expect(FileSystem.status(dir + "/projects.json")?.inode == inode)
        }
    }

    @Test func corruptFileIsAnErrorAndIsNeverOverwritten() throws {
        try withTemporaryDirectory { dir in
            let path = dir + "/projects.json"
            let store = FileProjectStore(path: path)
            let cases = [
                "[{\"name\": \"coffee\", \"path\": \"/src\"},": "invalid JSON at byte 36: unexpected end of input",
                "{\"name\": \"coffee\"}": "expected a JSON array of projects",
                "[{\"name\": \"a--b\", \"path\": \"/x\"}]": "must not contain '--'",
                "[{\"name\": \"a\", \"path\": \"/x\"}, {\"name\": \"a\", \"path\": \"/y\"}]": "project 'a' is listed twice",
            ]
            for (text, reason) in cases {
                try AtomicFile.write(text, to: path)
                let listed = #expect(throws: TaskStoreError.self) { try store.list() }
                #expect(listed?.description.hasPrefix(path + ": ") == true)
                #expect(listed?.description.contains(reason) == true, "\(listed.map(String.init(describing:)) ?? "")")
                var ran = false
                #expect(throws: TaskStoreError.self) {
                    try store.update {
                        ran = true; $0 = []
                    }
                }
                #expect(!ran)
                #expect(try FileSystem.readText(path) == text)
            }
            try AtomicFile.write([0x5B, 0xFF, 0x5D], to: path)
            let binary = #expect(throws: TaskStoreError.self) { try store.list() }
            #expect(binary?.description.contains("not valid UTF-8") == true)
        }
    }

    @Test func concurrentUpdatesFromThreadsAreAllKept() throws {
        try withTemporaryDirectory { dir in
            let path = dir + "/projects.json"
            let errors = runOnThreads(6) { t in
                let store = FileProjectStore(path: path)
                for i in 0..<15 { try store.update { $0.append(Self.project("p\(t)-\(i)")) } }
            }
            #expect(errors.isEmpty)
            let names = try FileProjectStore(path: path).list().map(\.name.rawValue)
            #expect(names.count == 90 && Set(names).count == 90)
        }
    }
}
