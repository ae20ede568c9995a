import CPangoCairo
import TallyReports

/// The PDF format: A4 pages laid out with pango and drawn as vectors with cairo.
///
/// - A title block (title, tenant, slice, period, time zone, generated at, data as of), then each
///   section under its heading, also a bookmark in the PDF outline.
/// - With charts: KPI cards, a line chart per daily series, bars of the key figure above each bot
///   or channel breakdown, and a shaded 7 × 24 heat map. Without (`include_charts: false`):
///   every block is a table (series as date × line, the heat map as 7 × 24).
/// - Tables break across pages, their title and header row repeated on each.
/// - Every page ends with "Page n of m": pages are laid out first, into lists of marks, and drawn
///   when their number is known.
/// - Deterministic: the Info dictionary's dates are the document's `generated_at`, never the clock,
///   and nothing else varies, so the same document gives the same bytes.
/// - Every string of the document is set as plain text (`pango_layout_set_text`), never markup.
/// - Safe to call from several threads at once: each render has its own surface, font map and
///   layout (see `PDFCanvas`).
public struct PDFReportRenderer: ReportRenderer {
    public var format: ReportFormat { .pdf }
    public init() {}

    public func render(_ document: ReportDocument, includeCharts: Bool) throws -> [UInt8] {
        let canvas = try PDFCanvas()
        let title = document.title
        canvas.setMetadata(CAIRO_PDF_METADATA_TITLE, PDFCanvas.clean(title.title, singleLine: true))
        canvas.setMetadata(CAIRO_PDF_METADATA_SUBJECT, PDFCanvas.clean(Self.subject(title), singleLine: true))
        canvas.setMetadata(CAIRO_PDF_METADATA_CREATOR, "Tally")
        if let date = Self.pdfDate(title.generatedAt) {
            canvas.setMetadata(CAIRO_PDF_METADATA_CREATE_DATE, date)
            canvas.setMetadata(CAIRO_PDF_METADATA_MOD_DATE, date)
        }

        let layout = PDFPageLayout(canvas: canvas)
        PDFTitleBlock(title: title).place(in: layout)
        for section in document.sections {
            PDFSection(section: section, includeCharts: includeCharts).place(in: layout)
        }

        let footer = PDFPageFooter(title: title.title, tenant: title.tenant)
        let pages = layout.pages
        for (index, marks) in pages.enumerated() {
            for mark in marks {
                if case let .outline(name, y) = mark {
                    canvas.addOutline(name, page: index + 1, y: y)
                } else {
                    canvas.draw(mark)
                }
            }
            footer.draw(on: canvas, page: index + 1, of: pages.count)
            canvas.showPage()
        }
        return try canvas.finish()
    }

    /// What the Info dictionary's Subject says: the kind of report, whose figures, over which days.
    static func subject(_ title: ReportDocument.TitleBlock) -> String {
        var subject = "\(title.type.defaultTitle) for tenant \(title.tenant)"
        if let slice = title.slice { subject += ", \(slice.dimension == "bot_id" ? "bot" : "channel") \(slice.value)" }
        return subject + ", \(title.periodStart) to \(title.periodEnd) (\(title.timeZone))"
    }

    /// `generated_at` (`2026-03-15T12:00:00.000Z`) as cairo takes a date: `2026-03-15T12:00:00Z`,
    /// or nil when it is not an RFC 3339 UTC time.
    static func pdfDate(_ rfc3339: String) -> String? {
        let characters = Array(rfc3339)
        guard characters.count >= 20, characters.last == "Z", characters[4] == "-", characters[7] == "-", characters[10] == "T",
              characters[13] == ":", characters[16] == ":" else { return nil }
        let digits = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18]
        guard digits.allSatisfy({ characters[$0].isASCII && characters[$0].isNumber }) else { return nil }
        return String(characters[0..<19]) + "Z"
    }
}
