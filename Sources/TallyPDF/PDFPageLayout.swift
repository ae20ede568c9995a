/// The flow of content down A4 pages: a cursor in the content area, breaking to a new page when a
/// piece does not fit, and collecting each page's marks for drawing once the page count is known.
final class PDFPageLayout {
    static let marginLeft = 42.0
    static let marginRight = 42.0
    static let marginTop = 44.0
    /// Leaves room for the footer, which `PDFPageFooter` draws below the content.
    static let marginBottom = 58.0

    let canvas: PDFCanvas
    private(set) var pages: [[PDFMark]] = [[]]
    /// Where the next piece starts on the current page.
    private(set) var y = marginTop

    init(canvas: PDFCanvas) { self.canvas = canvas }

    var left: Double { Self.marginLeft }
    var right: Double { PDFCanvas.pageWidth - Self.marginRight }
    var width: Double { right - left }
    var bottom: Double { PDFCanvas.pageHeight - Self.marginBottom }
    /// The height left on the current page.
    var remaining: Double { bottom - y }
    /// The height of an empty page's content area: what a piece taller than it must be split to.
    var pageContentHeight: Double { bottom - Self.marginTop }
    var isAtTopOfPage: Bool { y == Self.marginTop }

    func add(_ mark: PDFMark) { pages[pages.count - 1].append(mark) }

    func addText(_ box: PDFTextBox) { add(.text(box)) }

    /// Moves the cursor down by `height`.
    func advance(_ height: Double) { y += height }

    /// Starts a new page unless the current one is still empty.
    func newPage() {
        guard !isAtTopOfPage else { return }
        pages.append([])
        y = Self.marginTop
    }

    /// Makes sure `height` fits below the cursor, starting a new page when it does not (a piece
    /// taller than a page is then drawn from the top and clipped by the page's edge, which the
    /// pieces here avoid by splitting themselves).
    func reserve(_ height: Double) {
        if height > remaining { newPage() }
    }

    /// Leaves `gap` of space before the next piece, unless at the top of a page.
    func space(_ gap: Double) {
        guard !isAtTopOfPage else { return }
        y = min(bottom, y + gap)
    }
}
