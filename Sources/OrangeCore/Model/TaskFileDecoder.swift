/// Turns the bytes of one TASK.md into a record, checking what the file's place in the tree
/// implies: valid UTF-8, and `id` and `project` equal to the folders it sits in.
///
/// The store (every read) and `orange doctor` both go through here, so they always say the same
/// thing about the same file.
public enum TaskFileDecoder {
    /// Why the file cannot be used, with the 1-based line when the problem is tied to one.
    public struct Problem: Error, Hashable, Sendable {
        public var line: Int?
        public var reason: String
        /// The id the file claims when it is not its folder's (a copied folder, or a duplicate).
        public var claimedID: TaskID?

        public init(line: Int?, reason: String, claimedID: TaskID? = nil) {
            self.line = line
            self.reason = reason
            self.claimedID = claimedID
        }
    }

    /// Without `keepingBody`, the record's body is empty: the body is still checked as UTF-8,
    /// but not copied into a string its reader would drop.
    public static func decode(
        _ bytes: [UInt8], folderID: TaskID, folderProject: ProjectName, keepingBody: Bool = true
    ) -> Result<TaskRecord, Problem> {
        decodeDocument(bytes, folderID: folderID, folderProject: folderProject, keepingBody: keepingBody).map(\.task)
    }

    /// Like `decode`, with the parsed front matter too (its entries know their lines).
    public static func decodeDocument(
        _ bytes: [UInt8], folderID: TaskID, folderProject: ProjectName, keepingBody: Bool = true
    ) -> Result<(task: TaskRecord, document: FrontmatterDocument), Problem> {
        guard isValidUTF8(bytes) else {
            // Decoding with replacement characters and writing back would corrupt the file.
            let offset = firstInvalidUTF8Offset(bytes)
            let line = bytes[..<offset].reduce(1) { $1 == UInt8(ascii: "\n") ? $0 + 1 : $0 }
            return .failure(Problem(line: line, reason: "is not valid UTF-8 (byte \(offset))"))
        }
        let document: FrontmatterDocument
        let task: TaskRecord
        do throws(FrontmatterError) {
            // Parsed from the bytes: a String of the whole file would be one more copy of it.
            document = try bytes.withUnsafeBufferPointer { buffer in
                Result { () throws(FrontmatterError) in try FrontmatterCodec.parse(validUTF8: buffer, keepingBody: keepingBody) }
            }.get()
            task = try TaskRecord(document: document)
        } catch {
            return .failure(Problem(line: error.line, reason: error.reason))
        }
        if task.id != folderID {
            return .failure(
                Problem(
                    line: document.entry("id")?.line, reason: "id '\(task.id)' does not match its folder '\(folderID)'", claimedID: task.id)
            )
        }
        if task.project != folderProject {
            return .failure(
                Problem(
                    line: document.entry("project")?.line, reason: "project '\(task.project)' does not match its folder '\(folderProject)'")
            )
        }
        return .success((task, document))
    }

    /// Whether `bytes` are valid UTF-8. ASCII (nearly every TASK.md, or its first part) is
    /// checked 8 bytes at a time; from the first other byte on, the standard library decides.
    static func isValidUTF8(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { raw in
            let count = raw.count
            var offset = 0
            while offset + 8 <= count, raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self) & 0x8080_8080_8080_8080 == 0 {
                offset += 8
            }
            while offset < count, raw[offset] < 0x80 { offset += 1 }
            if offset == count { return true }
            // Everything before `offset` is whole ASCII scalars, so the rest is valid on its own
            // exactly when the whole is.
            return String(validating: UnsafeRawBufferPointer(rebasing: raw[offset...]), as: UTF8.self) != nil
        }
    }

    /// Byte offset of the first byte that does not start or continue a valid UTF-8 sequence.
    static func firstInvalidUTF8Offset(_ bytes: [UInt8]) -> Int {
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = bytes.makeIterator()
        var offset = 0
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let scalar): offset += scalar.count
            case .error: return offset
            case .emptyInput: return offset
            }
        }
    }
}
