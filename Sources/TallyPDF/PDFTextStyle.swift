/// How a run of text is set: DejaVu Sans at a size in points, regular or bold, in a colour.
struct PDFTextStyle: Sendable, Equatable {
    /// The only family used: installed with the renderer's packages, so layouts do not vary by machine.
    static let family = "DejaVu Sans"

    var size: Double
    var bold: Bool = false
    var color: PDFColor = .text

    static let title = PDFTextStyle(size: 20, bold: true)
    static let sectionHeading = PDFTextStyle(size: 13, bold: true, color: .accent)
    static let blockHeading = PDFTextStyle(size: 9.5, bold: true)
    static let body = PDFTextStyle(size: 8.5)
    static let label = PDFTextStyle(size: 8, color: .muted)
    static let small = PDFTextStyle(size: 6.5, color: .muted)
    static let footer = PDFTextStyle(size: 7, color: .muted)
}
