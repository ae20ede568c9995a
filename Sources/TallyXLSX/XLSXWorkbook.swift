import CXLSXWriter
import Glibc

/// One libxlsxwriter workbook, owning its C handle: sheets, formats and charts are added to it,
/// and `close()` writes the file. A workbook dropped without being closed is freed without writing,
/// so a render that throws halfway leaks nothing.
///
/// Not `Sendable`: a workbook lives inside one `render` call and is never shared.
final class XLSXWorkbook {
    private var handle: UnsafeMutablePointer<lxw_workbook>?
    /// libxlsxwriter's scratch directory, kept alive as long as the workbook may use it.
    private let temporaryDirectory: UnsafeMutablePointer<CChar>

    /// A workbook that `close()` writes to `path`, with libxlsxwriter's own temporary files in
    /// `temporaryDirectory` (the render's private directory, never a shared default).
    init(path: String, temporaryDirectory: String) throws {
        guard let directory = strdup(temporaryDirectory) else { throw XLSXError("out of memory") }
        self.temporaryDirectory = directory
        var options = lxw_workbook_options()
        options.tmpdir = directory
        guard let handle = workbook_new_opt(path, &options) else {
            free(directory)
            throw XLSXError("workbook_new_opt failed for \(path)")
        }
        self.handle = handle
    }

    deinit {
        if let handle { lxw_workbook_free(handle) }
        free(temporaryDirectory)
    }

    private func open() throws -> UnsafeMutablePointer<lxw_workbook> {
        guard let handle else { throw XLSXError("the workbook is already closed") }
        return handle
    }

    /// Sets the document properties. `created` is the time core.xml records as created and
    /// modified; libxlsxwriter takes the clock when it is 0, so it must be the document's own time
    /// for the same document to give the same bytes.
    func setProperties(title: String, subject: String, created: Int64) throws {
        guard created != 0 else { throw XLSXError("the creation time must not be 0, which means now") }
        let handle = try open()
        let strings: [UnsafeMutablePointer<CChar>?] = [XLSXText.cell(title), subject, "Tally"].map { text in text.withCString { strdup($0) } }
        defer { strings.forEach { free($0) } }
        guard strings.allSatisfy({ $0 != nil }) else { throw XLSXError("out of memory") }
        var properties = lxw_doc_properties()
        properties.title = strings[0]
        properties.subject = strings[1]
        properties.author = strings[2]
        properties.created = time_t(created)
        try XLSXError.check(workbook_set_properties(handle, &properties), "workbook_set_properties")
    }

    /// A new worksheet named `name`, which must be valid and unused (see `XLSXSheetNames`).
    func addWorksheet(named name: String, formats: XLSXFormats) throws -> XLSXWorksheet {
        let handle = try open()
        try XLSXError.check(workbook_validate_sheet_name(handle, name), "workbook_validate_sheet_name(\(name.debugDescription))")
        guard let sheet = workbook_add_worksheet(handle, name) else { throw XLSXError("workbook_add_worksheet(\(name.debugDescription)) failed") }
        return XLSXWorksheet(handle: sheet, name: name, formats: formats)
    }

    /// A new cell format, set up by `configure`.
    func addFormat(_ configure: (UnsafeMutablePointer<lxw_format>) -> Void) throws -> UnsafeMutablePointer<lxw_format> {
        guard let format = workbook_add_format(try open()) else { throw XLSXError("workbook_add_format failed") }
        configure(format)
        return format
    }

    /// A new chart of `type` (`LXW_CHART_LINE`, …), still to be inserted into a worksheet.
    func addChart(_ type: lxw_chart_type) throws -> UnsafeMutablePointer<lxw_chart> {
        guard let chart = workbook_add_chart(try open(), UInt8(type.rawValue)) else { throw XLSXError("workbook_add_chart(\(type.rawValue)) failed") }
        return chart
    }

    /// Writes the file and frees the workbook (libxlsxwriter frees it even when writing fails).
    func close() throws {
        let handle = try open()
        self.handle = nil
        try XLSXError.check(workbook_close(handle), "workbook_close")
    }
}
