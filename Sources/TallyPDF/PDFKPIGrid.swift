import TallyReports

/// Key figures as a grid of cards, four to a row: the figure's label (on up to two lines), its
/// value large, and its change against the previous period in green (up), red (down) or grey.
struct PDFKPIGrid {
    var group: KPIGroup

    static let perRow = 4
    static let gap = 8.0
    /// A card's height with a one-line label; a row with a two-line label grows by a line.
    static let cardHeight = 52.0
    static let labelStyle = PDFTextStyle(size: 7.5, color: .muted)
    static let valueStyle = PDFTextStyle(size: 15, bold: true)

    func place(in page: PDFPageLayout) {
        let canvas = page.canvas
        let cardWidth = (page.width - Self.gap * Double(Self.perRow - 1)) / Double(Self.perRow)
        let inner = cardWidth - 15
        let line = canvas.lineHeight(Self.labelStyle)
        for start in stride(from: 0, to: group.items.count, by: Self.perRow) {
            let items = group.items[start..<min(group.items.count, start + Self.perRow)]
            // A label wraps onto a second line when it needs one, and is cut short past that.
            let labels = items.map { item in
                let wrapped = PDFTextBox(text: item.label, style: Self.labelStyle, origin: PDFPoint(x: 0, y: 0), width: inner)
                let height = canvas.measure(wrapped).height
                return height <= 2 * line + 0.5 ? (box: wrapped, height: height) : (box: wrapped.ellipsized, height: line)
            }
            let extra = max(0, (labels.map(\.height).max() ?? line) - line)
            let height = Self.cardHeight + extra
            page.reserve(height)
            for (column, (item, label)) in zip(items, labels).enumerated() {
                let x = page.left + Double(column) * (cardWidth + Self.gap)
                let y = page.y
                page.add(.fill(x: x, y: y, width: cardWidth, height: height, color: .panel))
                page.add(.fill(x: x, y: y, width: 2.5, height: height, color: .accent))
                var labelBox = label.box
                labelBox.origin = PDFPoint(x: x + 9, y: y + 6)
                page.addText(labelBox)
                page.addText(PDFTextBox(text: PDFNumberText.figure(item.value, item.unit), style: Self.valueStyle,
                                        origin: PDFPoint(x: x + 9, y: y + 17 + extra), width: inner, overflow: .ellipsize))
                if let change = item.change {
                    let color: PDFColor = change.inHundredths > 0 ? .rise : change.inHundredths < 0 ? .fall : .muted
                    page.addText(PDFTextBox(text: PDFNumberText.change(change, item.unit) + " vs previous period",
                                            style: PDFTextStyle(size: 7, color: color), origin: PDFPoint(x: x + 9, y: y + 37 + extra),
                                            width: inner, overflow: .ellipsize))
                }
            }
            page.advance(height + Self.gap)
        }
    }
}

private extension PDFTextBox {
    var ellipsized: PDFTextBox {
        var box = self
        box.overflow = .ellipsize
        return box
    }
}
