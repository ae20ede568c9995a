import Foundation
import Testing
import TallyReportJobs

/// What a write killed mid-way leaves behind is cleaned up, and nothing else.
@Suite("Report files")
struct ReportFilesTests {
    @Test("temporary files older than the cutoff are removed; younger ones and reports stay")
    func staleTemporaries() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tally-report-files-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let files = ReportFiles(directory: directory)
        try files.write(Array("whole".utf8), as: "r1.pdf")
        let old = files.path(of: ".r2.pdf.\(UUID().uuidString).tmp"), young = files.path(of: ".r3.pdf.\(UUID().uuidString).tmp")
        #expect(FileManager.default.createFile(atPath: old, contents: Data("half".utf8)))
        #expect(FileManager.default.createFile(atPath: young, contents: Data("half".utf8)))
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -7200)], ofItemAtPath: old)
        #expect(files.removeStaleTemporaries(modifiedBefore: Date(timeIntervalSinceNow: -3600)) == 1)
        #expect(!FileManager.default.fileExists(atPath: old))
        #expect(FileManager.default.fileExists(atPath: young))
        #expect(files.read("r1.pdf") == Array("whole".utf8))
    }
}
