import Foundation
import TallyReports

/// The XLSX format: a workbook written with libxlsxwriter (see the README's Reports API).
///
/// - A `Summary` sheet first (the title block, then every section's key figures), then one sheet
///   per section named after its title (`XLSXSheetNames`), each with its header rows frozen.
/// - Figures are numeric cells, days and times date cells, and every string a string cell, never
///   a formula: untrusted text such as `=HYPERLINK(...)` reads back as exactly that text.
/// - With charts, native Excel charts: a line chart per daily series and a bar chart of the
///   bot and channel breakdowns' messages; without, none.
///
/// Deterministic: the workbook's creation time is the document's `generated_at`, never the clock,
/// and libxlsxwriter stamps every zip entry 1980-01-01, so the same document gives the same bytes.
public struct XLSXReportRenderer: ReportRenderer {
    public var format: ReportFormat { .xlsx }
    public init() {}

    public func render(_ document: ReportDocument, includeCharts: Bool) throws -> [UInt8] {
        let t = document.title
        guard let created = XLSXDateTime.utc(t.generatedAt)?.epochSeconds else {
            throw XLSXError("generated_at \(t.generatedAt.debugDescription) is not a UTC RFC 3339 time")
        }
        let scratch = try XLSXScratchDirectory()
        defer { scratch.remove() }
        let output = scratch.file("report.xlsx")
        do {
            let workbook = try XLSXWorkbook(path: output, temporaryDirectory: scratch.path)
            try workbook.setProperties(title: t.title, subject: "Tally \(t.type.rawValue) report", created: created)
            let formats = try XLSXFormats(workbook)
            var names = XLSXSheetNames()
            let summary = try workbook.addWorksheet(named: names.claim(XLSXSummarySheet.name), formats: formats)
            try XLSXSummarySheet(document: document, sheet: summary).write()
            let charts = includeCharts ? XLSXCharts(workbook: workbook) : nil
            for section in document.sections {
                let sheet = try workbook.addWorksheet(named: names.claim(section.title), formats: formats)
                try XLSXSectionSheet(section: section, sheet: sheet, charts: charts).write()
            }
            try workbook.close()
        }
        guard let data = FileManager.default.contents(atPath: output) else { throw XLSXError("cannot read the written workbook \(output)") }
        return [UInt8](data)
    }
}
