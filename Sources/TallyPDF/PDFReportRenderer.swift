import CPangoCairo
import TallyReports

/// The PDF format: A4 pages laid out with pango and drawn with cairo (see the README's Reports API).
public struct PDFReportRenderer: ReportRenderer {
    public var format: ReportFormat { .pdf }
    public init() {}

    public func render(_ document: ReportDocument, includeCharts: Bool) throws -> [UInt8] {
        throw ReportBuildError("the pdf renderer is being written")
    }
}
