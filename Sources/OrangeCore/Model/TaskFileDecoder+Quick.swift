extension TaskFileDecoder {
    /// `decode`, reading the front matter shapes orange writes straight from the bytes
    /// (`FrontmatterQuickScan`) and any other file, or any file it would refuse, with the full
    /// reader: the same record for every file `decode` accepts and the same problem (line and
    /// reason) for every file it refuses (`TaskFileDecodeOracleTests`). For the engine, which
    /// reads every TASK.md at start-up (docs/performance.md, section 5).
    public static func decodeQuickly(
        _ bytes: [UInt8], folderID: TaskID, folderProject: ProjectName, keepingBody: Bool = true
    ) -> Result<TaskRecord, Problem> {
        guard isValidUTF8(bytes) else { return decode(bytes, folderID: folderID, folderProject: folderProject, keepingBody: keepingBody) }
        let quick = bytes.withUnsafeBufferPointer { buffer -> TaskRecord? in
            guard let scan = FrontmatterQuickScan.scan(buffer) else { return nil }
            let body = keepingBody ? String(decoding: UnsafeBufferPointer(rebasing: buffer[scan.bodyStart...]), as: UTF8.self) : ""
            // A file the checks refuse is read again whole, so its problem is told by one reader only.
            guard var task = try? TaskRecord(fields: TaskRecordFields(known: scan.known, extra: scan.extra), body: body),
                task.id == folderID, task.project == folderProject
            else { return nil }
            // The folder's strings, which the caller holds already: the file's copies are freed
            // here, on the thread that made them (the engine's start-up reads on every core and
            // keeps the records on its loop's thread, where freeing them waited on the readers'
            // allocator locks).
            (task.id, task.project) = (folderID, folderProject)
            return task
        }
        if let quick { return .success(quick) }
        return decode(bytes, folderID: folderID, folderProject: folderProject, keepingBody: keepingBody)
    }
}
