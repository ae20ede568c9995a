import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Report files on disk. A file is written under a temporary name, fsynced, renamed into place and
/// its directory fsynced, so a crash at any moment leaves either no file or the whole file: a
/// half-written report is never served.
public struct ReportFiles: Sendable {
    public let directory: String

    public init(directory: String) { self.directory = directory }

    public func path(of fileName: String) -> String { directory + "/" + fileName }

    /// Writes `bytes` as `fileName` atomically and durably.
    public func write(_ bytes: [UInt8], as fileName: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let temporary = path(of: ".\(fileName).\(UUID().uuidString).tmp")
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL, 0o644)
        guard fd >= 0 else { throw ReportFileError("cannot create \(temporary): \(String(cString: strerror(errno)))") }
        var written = 0
        var failure: String?
        bytes.withUnsafeBytes { buffer in
            while written < buffer.count {
                let n = Glibc_write(fd, buffer.baseAddress! + written, buffer.count - written)
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = "cannot write \(temporary): \(String(cString: strerror(errno)))"
                    return
                }
                written += n
            }
        }
        if failure == nil, fsync(fd) != 0 { failure = "cannot fsync \(temporary): \(String(cString: strerror(errno)))" }
        close(fd)
        if let failure {
            unlink(temporary)
            throw ReportFileError(failure)
        }
        guard rename(temporary, path(of: fileName)) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw ReportFileError("cannot rename \(temporary): \(reason)")
        }
        let dir = open(directory, O_RDONLY)
        if dir >= 0 {
            _ = fsync(dir)
            close(dir)
        }
    }

    /// The file's bytes, or nil when it is not there.
    public func read(_ fileName: String) -> [UInt8]? {
        FileManager.default.contents(atPath: path(of: fileName)).map(Array.init)
    }

    /// Removes the file; a missing file is no error.
    public func remove(_ fileName: String) {
        unlink(path(of: fileName))
    }

    /// Removes temporary files (`.<name>.<uuid>.tmp`) last modified before `cutoff`: what a
    /// process killed mid-write left. Younger ones may belong to a write in progress (another
    /// process may share the directory), so only files older than any job may run are removed.
    /// Returns how many went.
    @discardableResult
    public func removeStaleTemporaries(modifiedBefore cutoff: Date) -> Int {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        var removed = 0
        for name in names where name.hasPrefix(".") && name.hasSuffix(".tmp") {
            let attributes = try? FileManager.default.attributesOfItem(atPath: path(of: name))
            guard let modified = attributes?[.modificationDate] as? Date, modified < cutoff else { continue }
            if unlink(path(of: name)) == 0 { removed += 1 }
        }
        return removed
    }
}

/// `write(2)`, named apart from `ReportFiles.write`.
@inline(__always)
private func Glibc_write(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
    Glibc.write(fd, buffer, count)
    #else
    Darwin.write(fd, buffer, count)
    #endif
}

/// A report file could not be written.
public struct ReportFileError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
