import Foundation

/// A private directory for one render: libxlsxwriter writes the workbook and its temporary files
/// there, so renders running at once on the job workers never share a path. Removed with its
/// contents when the render is done.
struct XLSXScratchDirectory {
    let path: String

    init() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("tally-xlsx-\(UUID().uuidString)", isDirectory: true)
        do {
            // Owner only: the rendered report is tenant data.
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        } catch {
            throw XLSXError("cannot create a temporary directory at \(url.path): \(error)")
        }
        path = url.path
    }

    func file(_ name: String) -> String { path + "/" + name }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}
