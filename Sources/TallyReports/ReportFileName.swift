import Foundation

/// The file name a report is offered under, for a download and for a mail attachment alike:
/// `<title slug>-<first day>-<last day>.<extension>`, ASCII letters, digits and dashes only, so
/// that no title can put a quote or a line break into a header.
public enum ReportFileName {
    public static func name(title: String, fallback: String, startDate: String, endDate: String, format: ReportFormat) -> String {
        "\(slug(title, fallback: fallback))-\(startDate)-\(endDate).\(format.fileExtension)"
    }

    /// The title lowercased, each run of other characters one dash, at most 60 characters.
    static func slug(_ title: String, fallback: String) -> String {
        var slug = ""
        for scalar in title.lowercased().unicodeScalars {
            if scalar.isASCII, CharacterSet.alphanumerics.contains(scalar) {
                slug.unicodeScalars.append(scalar)
            } else if !slug.isEmpty, !slug.hasSuffix("-") {
                slug += "-"
            }
        }
        while slug.hasSuffix("-") { slug.removeLast() }
        return slug.isEmpty ? fallback : String(slug.prefix(60))
    }
}
