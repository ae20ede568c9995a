import CXLSXWriter
import TallyReports

/// The XLSX format: a workbook written with libxlsxwriter (see the README's Reports API).
public struct XLSXReportRenderer: ReportRenderer {
    public var format: ReportFormat { .xlsx }
    public init() {}

    public func render(_ document: ReportDocument, includeCharts: Bool) throws -> [UInt8] {
        throw ReportBuildError("the xlsx renderer is being written")
    }
}
