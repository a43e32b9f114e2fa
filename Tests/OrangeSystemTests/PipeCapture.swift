import Dispatch
import Glibc

/// What `write` sends into a pipe's write end, read meanwhile by another thread (a writer that
/// waits for room would wait for ever otherwise), with `write`'s own answer. The write end is
/// closed once `write` returns, so the reader sees the end.
func throughAPipe(_ write: (Int32) -> Bool) -> (written: Bool, bytes: [UInt8]) {
    var ends: [Int32] = [0, 0]
    guard pipe(&ends) == 0 else { return (false, []) }
    let readEnd = ends[0]
    let done = DispatchSemaphore(value: 0)
    nonisolated(unsafe) var piped: [UInt8] = []
    DispatchQueue(label: "pipe-reader").async {
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(readEnd, $0.baseAddress, $0.count) }
            if count <= 0 { break }
            piped += chunk[0..<count]
        }
        done.signal()
    }
    let written = write(ends[1])
    close(ends[1])
    done.wait()
    close(readEnd)
    return (written, piped)
}
