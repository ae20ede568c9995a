import TallyDomain
import TallyReports

/// A 7 × 24 heat map as a shaded grid: weekdays down, local hours across, each cell shaded by its
/// share of the busiest cell and carrying its count, with a scale from 0 to that busiest count.
struct PDFHeatmap {
    var heatmap: Heatmap

    static let labelWidth = 28.0
    static let cellHeight = 17.0
    static let legendSteps = 6

    /// Title, hour labels, seven rows and the scale.
    static let estimatedHeight = 16 + 12 + 7 * cellHeight + 22

    func place(in page: PDFPageLayout) {
        let canvas = page.canvas
        let hours = max(1, heatmap.columnLabels.count)
        let cellWidth = (page.width - Self.labelWidth) / Double(hours)
        let maximum = max(1, heatmap.values.joined().max() ?? 1)
        let titleHeight = canvas.lineHeight(.blockHeading) + 4
        let hourStyle = PDFTextStyle(size: 6.5, color: .muted)
        let dayStyle = PDFTextStyle(size: 7.5)
        let hourHeight = canvas.lineHeight(hourStyle) + 3
        let gridHeight = Double(heatmap.values.count) * Self.cellHeight
        let legendHeight = 22.0
        page.reserve(titleHeight + hourHeight + gridHeight + legendHeight)

        page.addText(PDFTextBox(text: heatmap.title, style: .blockHeading, origin: PDFPoint(x: page.left, y: page.y), width: page.width,
                                overflow: .ellipsize))
        page.advance(titleHeight)
        let gridLeft = page.left + Self.labelWidth
        for (hour, label) in heatmap.columnLabels.enumerated() {
            page.addText(PDFTextBox(text: label, style: hourStyle, origin: PDFPoint(x: gridLeft + Double(hour) * cellWidth, y: page.y),
                                    width: cellWidth, alignment: .center))
        }
        page.advance(hourHeight)

        let valueStyle = PDFTextStyle(size: 5.5)
        let valueHeight = canvas.lineHeight(valueStyle)
        let dayHeight = canvas.lineHeight(dayStyle)
        for (weekday, row) in heatmap.values.enumerated() {
            let y = page.y + Double(weekday) * Self.cellHeight
            let label = weekday < heatmap.rowLabels.count ? heatmap.rowLabels[weekday] : ""
            page.addText(PDFTextBox(text: label, style: dayStyle, origin: PDFPoint(x: page.left, y: y + (Self.cellHeight - dayHeight) / 2)))
            for (hour, value) in row.prefix(hours).enumerated() {
                let share = Double(value) / Double(maximum)
                let x = gridLeft + Double(hour) * cellWidth
                page.add(.fill(x: x + 0.5, y: y + 0.5, width: cellWidth - 1, height: Self.cellHeight - 1,
                               color: PDFColor.heatCold.mixed(with: .heatHot, share)))
                guard value > 0 else { continue }
                var style = valueStyle
                style.color = share > 0.55 ? .white : .text
                page.addText(PDFTextBox(text: PDFNumberText.grouped(.count(value)), style: style,
                                        origin: PDFPoint(x: x, y: y + (Self.cellHeight - valueHeight) / 2), width: cellWidth, alignment: .center))
            }
        }
        page.advance(gridHeight + 6)

        // The scale: 0, shades of equal steps, and the busiest cell's count.
        let legendStyle = PDFTextStyle(size: 6.5, color: .muted)
        let swatch = 14.0
        var x = gridLeft
        page.addText(PDFTextBox(text: "0", style: legendStyle, origin: PDFPoint(x: x, y: page.y + 1)))
        x += canvas.width("0", legendStyle) + 4
        for step in 0..<Self.legendSteps {
            let share = Double(step) / Double(Self.legendSteps - 1)
            page.add(.fill(x: x, y: page.y + 1, width: swatch, height: 8, color: PDFColor.heatCold.mixed(with: .heatHot, share)))
            x += swatch
        }
        page.addText(PDFTextBox(text: "\(PDFNumberText.grouped(.count(maximum))) messages in the busiest hour", style: legendStyle,
                                origin: PDFPoint(x: x + 4, y: page.y + 1)))
        page.advance(legendHeight - 6)
    }
}
