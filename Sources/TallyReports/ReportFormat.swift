/// The file formats a report is rendered in. Every format renders the same `ReportDocument`.
public enum ReportFormat: String, CaseIterable, Sendable, Codable {
    case pdf, csv, xlsx, json, html

    /// The file name extension of a download.
    public var fileExtension: String { rawValue }

    /// The download's `Content-Type`.
    public var contentType: String {
        switch self {
        case .pdf: "application/pdf"
        case .csv: "text/csv; charset=utf-8; header=present"
        case .xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        case .json: "application/json; charset=utf-8"
        case .html: "text/html; charset=utf-8"
        }
    }

    /// `pdf, csv, …`, for the 400 that lists the valid values.
    public static var validList: String { allCases.map(\.rawValue).joined(separator: ", ") }
}

/// Turns a report document into the bytes of one file format.
///
/// A renderer must be deterministic: the same document gives the same bytes, so that a download's
/// SHA-256 identifies its content. It must treat every string of the document (titles, bot ids,
/// channel names, reasons) as untrusted: escaped for markup, neutralised for spreadsheets.
public protocol ReportRenderer: Sendable {
    var format: ReportFormat { get }
    /// - Parameter includeCharts: false renders tables only (formats without charts ignore it).
    func render(_ document: ReportDocument, includeCharts: Bool) throws -> [UInt8]
}
