import TallyPDF
import TallyReports
import TallyXLSX

/// The renderer of each format. The formats without a C library live in `TallyReports`; PDF and
/// XLSX live in the one module that wraps their library, so the document model stays pure.
public enum ReportRenderers {
    public static func renderer(for format: ReportFormat) -> any ReportRenderer {
        switch format {
        case .json: JSONReportRenderer()
        case .csv: CSVReportRenderer()
        case .html: HTMLReportRenderer()
        case .pdf: PDFReportRenderer()
        case .xlsx: XLSXReportRenderer()
        }
    }
}
