import TallyDomain
import TallyReports

/// A breakdown table's key figure as horizontal bars: one bar per row (a bot, a channel) for the
/// first `limit` rows, which the breakdowns order by that figure, with the value at the bar's end.
struct PDFBarChart {
    var table: Table

    static let limit = 12
    static let barHeight = 10.0
    static let barGap = 4.0
    /// The figure a breakdown is ordered by, and so the one its bars show.
    static let keyFigure = "messages"

    /// The column the bars show: the key figure, else the first figure column.
    var column: Int? {
        table.columns.firstIndex { $0.name == Self.keyFigure && $0.type != "text" }
            ?? table.columns.indices.dropFirst().first { table.columns[$0].type != "text" }
    }

    /// The chart's height with a one-line title: bars, gaps and the axis labels.
    var estimatedHeight: Double {
        guard column != nil, !table.rows.isEmpty else { return 0 }
        return 16 + Double(min(Self.limit, table.rows.count)) * (Self.barHeight + Self.barGap) + Self.barGap + 14
    }

    func place(in page: PDFPageLayout) {
        guard let column, !table.rows.isEmpty else { return }
        let canvas = page.canvas
        let rows = Array(table.rows.prefix(Self.limit))
        let unit = FigureUnit(rawValue: table.columns[column].type) ?? .count
        let values = rows.map { row -> ReportNumber in
            if column < row.count, case .number(let number) = row[column] { return number }
            return .count(0)
        }
        let labelStyle = PDFTextStyle(size: 7.5)
        let valueStyle = PDFTextStyle(size: 7, color: .muted)
        let tickStyle = PDFTextStyle(size: 6.5, color: .muted)
        let texts = values.map { PDFNumberText.figure($0, unit) }
        let labelWidth = min(150, (rows.map { canvas.width(PDFCanvas.clean($0.first?.text ?? "", singleLine: true), labelStyle) }.max() ?? 0) + 8)
        let valueWidth = (texts.map { canvas.width($0, valueStyle) }.max() ?? 0) + 8
        let barLeft = page.left + labelWidth
        let barWidth = page.width - labelWidth - valueWidth
        let axis = PDFChartAxis(maximum: values.map { max(0, $0.inHundredths) }.max() ?? 0, unit: unit)

        let what = table.columns.first?.label.lowercased() ?? "row"
        let shown = table.rows.count > rows.count ? "top \(rows.count) of \(table.rows.count)" : "\(rows.count) shown"
        let title = "\(table.columns[column].label) by \(what) (\(shown))"
        let titleHeight = canvas.lineHeight(.blockHeading) + 4
        let plotHeight = Double(rows.count) * (Self.barHeight + Self.barGap) + Self.barGap
        page.reserve(titleHeight + plotHeight + 14)

        page.addText(PDFTextBox(text: title, style: .blockHeading, origin: PDFPoint(x: page.left, y: page.y), width: page.width, overflow: .ellipsize))
        page.advance(titleHeight)
        let top = page.y
        for tick in axis.ticks {
            let x = barLeft + barWidth * axis.fraction(tick)
            page.add(.stroke(points: [PDFPoint(x: x, y: top), PDFPoint(x: x, y: top + plotHeight)], color: tick == 0 ? .rule : .grid,
                             width: tick == 0 ? 0.8 : 0.5))
            page.addText(PDFTextBox(text: axis.label(tick), style: tickStyle, origin: PDFPoint(x: x - 30, y: top + plotHeight + 2), width: 60,
                                    alignment: .center))
        }
        let labelHeight = canvas.lineHeight(labelStyle)
        for (index, row) in rows.enumerated() {
            let y = top + Self.barGap + Double(index) * (Self.barHeight + Self.barGap)
            page.addText(PDFTextBox(text: row.first?.text ?? "", style: labelStyle,
                                    origin: PDFPoint(x: page.left, y: y + (Self.barHeight - labelHeight) / 2), width: labelWidth - 8, overflow: .ellipsize))
            let length = barWidth * axis.fraction(values[index].inHundredths)
            if length > 0 { page.add(.fill(x: barLeft, y: y, width: length, height: Self.barHeight, color: PDFColor.series(0))) }
            page.addText(PDFTextBox(text: texts[index], style: valueStyle,
                                    origin: PDFPoint(x: barLeft + length + 3, y: y + (Self.barHeight - canvas.lineHeight(valueStyle)) / 2)))
        }
        page.advance(plotHeight + 14)
    }
}
