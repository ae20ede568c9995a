/// A point or size in PDF points (1/72 inch), y growing downwards as cairo draws.
struct PDFPoint: Sendable, Equatable {
    var x: Double
    var y: Double
}

/// How a text box treats text wider than it.
enum PDFTextOverflow: Sendable, Equatable {
    /// Onto further lines, breaking between words, or inside one when it is longer than the box.
    case wrap
    /// Cut with an ellipsis on one line: labels of charts, whose full text a table also shows.
    case ellipsize
}

enum PDFTextAlignment: Sendable, Equatable {
    case left, center, right
}

/// A text placed on a page: its top-left corner and, when it has one, the width it fits in.
struct PDFTextBox: Sendable, Equatable {
    var text: String
    var style: PDFTextStyle
    var origin: PDFPoint
    var width: Double? = nil
    var alignment: PDFTextAlignment = .left
    var overflow: PDFTextOverflow = .wrap
}

/// One thing drawn on a page. Pages are laid out into lists of marks first and drawn afterwards,
/// so that every page's footer can say how many pages there are.
enum PDFMark: Sendable, Equatable {
    case text(PDFTextBox)
    case fill(x: Double, y: Double, width: Double, height: Double, color: PDFColor)
    /// An open polyline of `width` points.
    case stroke(points: [PDFPoint], color: PDFColor, width: Double)
    /// A filled circle: the single day of a one-day series.
    case dot(center: PDFPoint, radius: Double, color: PDFColor)
    /// A section's entry in the PDF outline (the viewer's bookmarks), pointing at `y` on this page.
    case outline(title: String, y: Double)
}
