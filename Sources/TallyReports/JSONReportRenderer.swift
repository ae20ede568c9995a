import Foundation

/// The JSON format: the document itself, keys sorted and without insignificant white space, so
/// the same document always gives the same bytes.
public struct JSONReportRenderer: ReportRenderer {
    public var format: ReportFormat { .json }
    public init() {}

    public func render(_ document: ReportDocument, includeCharts: Bool) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(document))
    }
}
