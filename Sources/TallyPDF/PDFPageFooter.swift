/// The foot of every page: a rule, the report's title and tenant, and "Page n of m", drawn once the
/// layout knows how many pages there are.
struct PDFPageFooter {
    var title: String
    var tenant: String

    func draw(on canvas: PDFCanvas, page: Int, of count: Int) {
        let top = PDFCanvas.pageHeight - PDFPageLayout.marginBottom + 20
        let left = PDFPageLayout.marginLeft
        let width = PDFCanvas.pageWidth - PDFPageLayout.marginLeft - PDFPageLayout.marginRight
        canvas.draw(.stroke(points: [PDFPoint(x: left, y: top), PDFPoint(x: left + width, y: top)], color: .rule, width: 0.5))
        let number = "Page \(page) of \(count)"
        canvas.draw(.text(PDFTextBox(text: number, style: .footer, origin: PDFPoint(x: left + width - 100, y: top + 5), width: 100, alignment: .right)))
        canvas.draw(.text(PDFTextBox(text: "\(title) · \(tenant)", style: .footer, origin: PDFPoint(x: left, y: top + 5), width: width - 120,
                                     overflow: .ellipsize)))
    }
}
