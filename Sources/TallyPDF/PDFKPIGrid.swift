import TallyReports

/// Key figures as a grid of cards, four to a row: the figure's label, its value large, and its
/// change against the previous period in green (up), red (down) or grey.
struct PDFKPIGrid {
    var group: KPIGroup

    static let perRow = 4
    static let gap = 8.0
    static let cardHeight = 52.0

    func place(in page: PDFPageLayout) {
        let cardWidth = (page.width - Self.gap * Double(Self.perRow - 1)) / Double(Self.perRow)
        let valueStyle = PDFTextStyle(size: 15, bold: true)
        for start in stride(from: 0, to: group.items.count, by: Self.perRow) {
            page.reserve(Self.cardHeight)
            for (column, item) in group.items[start..<min(group.items.count, start + Self.perRow)].enumerated() {
                let x = page.left + Double(column) * (cardWidth + Self.gap)
                let y = page.y
                let inner = cardWidth - 15
                page.add(.fill(x: x, y: y, width: cardWidth, height: Self.cardHeight, color: .panel))
                page.add(.fill(x: x, y: y, width: 2.5, height: Self.cardHeight, color: .accent))
                page.addText(PDFTextBox(text: item.label, style: PDFTextStyle(size: 7.5, color: .muted), origin: PDFPoint(x: x + 9, y: y + 6),
                                        width: inner, overflow: .ellipsize))
                page.addText(PDFTextBox(text: PDFNumberText.figure(item.value, item.unit), style: valueStyle, origin: PDFPoint(x: x + 9, y: y + 17),
                                        width: inner, overflow: .ellipsize))
                if let change = item.change {
                    let color: PDFColor = change.inHundredths > 0 ? .rise : change.inHundredths < 0 ? .fall : .muted
                    page.addText(PDFTextBox(text: PDFNumberText.change(change, item.unit) + " vs previous period",
                                            style: PDFTextStyle(size: 7, color: color), origin: PDFPoint(x: x + 9, y: y + 37),
                                            width: inner, overflow: .ellipsize))
                }
            }
            page.advance(Self.cardHeight + Self.gap)
        }
    }
}
