import TallyReports

/// A daily series as a line chart: one line per series line over the period, a value axis with
/// grid lines, and date labels along the bottom.
///
/// Lines of very different sizes (conversations beside tokens) would flatten the small ones against
/// the axis, so when the largest line peaks more than `sharedScaleRatio` times higher than the
/// smallest, each line gets a panel and an axis of its own, stacked over the same dates.
struct PDFLineChart {
    var series: Series

    static let sharedScaleRatio: Int64 = 5
    static let sharedPanelHeight = 120.0
    static let stackedPanelHeight = 64.0
    static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// The lines drawn together on each panel, as indices into `series.lines`.
    var panels: [[Int]] {
        let peaks = series.lines.map { line in max(1, line.values.map(\.inHundredths).max() ?? 0) }
        guard let high = peaks.max(), let low = peaks.min(), high > low * Self.sharedScaleRatio else { return [Array(series.lines.indices)] }
        return series.lines.indices.map { [$0] }
    }

    static let legendHeight = 14.0
    static let captionHeight = 12.0
    static let dateHeight = 14.0
    static let panelGap = 6.0

    /// The chart's height below a title of `titleHeight`.
    func height(titleHeight: Double) -> Double {
        let panels = panels.count
        let stacked = panels > 1
        let panel = stacked ? Self.captionHeight + Self.stackedPanelHeight : Self.sharedPanelHeight
        return titleHeight + (stacked ? 0 : Self.legendHeight) + Double(panels) * (panel + Self.panelGap) + Self.dateHeight
    }

    /// The height with a title of one line of the block heading's size.
    var estimatedHeight: Double { height(titleHeight: 16) }

    func place(in page: PDFPageLayout) {
        let canvas = page.canvas
        let panels = panels
        let stacked = panels.count > 1
        let panelHeight = stacked ? Self.stackedPanelHeight : Self.sharedPanelHeight
        let axes = panels.map { lines in
            PDFChartAxis(maximum: lines.flatMap { series.lines[$0].values.map(\.inHundredths) }.max() ?? 0, unit: series.unit)
        }
        let tickStyle = PDFTextStyle(size: 6.5, color: .muted)
        let axisWidth = (axes.flatMap { axis in axis.ticks.map { canvas.width(axis.label($0), tickStyle) } }.max() ?? 0) + 6
        let titleHeight = canvas.lineHeight(.blockHeading) + 4
        let captionHeight = stacked ? Self.captionHeight : 0
        page.reserve(height(titleHeight: titleHeight))

        page.addText(PDFTextBox(text: series.title, style: .blockHeading, origin: PDFPoint(x: page.left, y: page.y), width: page.width,
                                overflow: .ellipsize))
        page.advance(titleHeight)
        if !stacked { legend(lines: series.lines.indices.map { $0 }, in: page) }

        let plotLeft = page.left + axisWidth
        let plotWidth = page.width - axisWidth - 4
        let count = series.dates.count
        func x(_ day: Int) -> Double { count > 1 ? plotLeft + plotWidth * Double(day) / Double(count - 1) : plotLeft + plotWidth / 2 }
        let labelled = labelledDays(plotWidth: plotWidth)

        for (panel, lines) in panels.enumerated() {
            let axis = axes[panel]
            if stacked {
                let line = series.lines[lines[0]]
                page.addText(PDFTextBox(text: line.label, style: PDFTextStyle(size: 7.5, bold: true, color: PDFColor.series(lines[0])),
                                        origin: PDFPoint(x: plotLeft, y: page.y), width: plotWidth, overflow: .ellipsize))
                page.advance(captionHeight)
            }
            let top = page.y + 4
            let bottom = top + panelHeight - 4
            for day in labelled {
                page.add(.stroke(points: [PDFPoint(x: x(day), y: top), PDFPoint(x: x(day), y: bottom)], color: .grid, width: 0.4))
            }
            for tick in axis.ticks {
                let y = bottom - (bottom - top) * axis.fraction(tick)
                page.add(.stroke(points: [PDFPoint(x: plotLeft, y: y), PDFPoint(x: plotLeft + plotWidth, y: y)],
                                 color: tick == 0 ? .rule : .grid, width: tick == 0 ? 0.8 : 0.5))
                let labelHeight = canvas.lineHeight(tickStyle)
                page.addText(PDFTextBox(text: axis.label(tick), style: tickStyle, origin: PDFPoint(x: page.left, y: y - labelHeight / 2),
                                        width: axisWidth - 5, alignment: .right))
            }
            for index in lines {
                let values = series.lines[index].values
                let points = values.indices.prefix(count).map { day in
                    PDFPoint(x: x(day), y: bottom - (bottom - top) * axis.fraction(values[day].inHundredths))
                }
                if points.count == 1 {
                    page.add(.dot(center: points[0], radius: 2, color: PDFColor.series(index)))
                } else {
                    page.add(.stroke(points: points, color: PDFColor.series(index), width: 1.3))
                }
            }
            page.advance(panelHeight + Self.panelGap)
        }

        let dateStyle = PDFTextStyle(size: 6.5, color: .muted)
        let labelWidth = 44.0
        for day in labelled {
            let left = min(max(x(day) - labelWidth / 2, plotLeft - 8), page.right - labelWidth)
            page.addText(PDFTextBox(text: Self.shortDate(series.dates[day]), style: dateStyle, origin: PDFPoint(x: left, y: page.y - 4),
                                    width: labelWidth, alignment: .center))
        }
        page.advance(Self.dateHeight)
    }

    /// A row of coloured swatches with the lines' labels.
    private func legend(lines: [Int], in page: PDFPageLayout) {
        let style = PDFTextStyle(size: 7.5)
        var x = page.left
        for index in lines {
            let label = series.lines[index].label
            let width = min(page.canvas.width(label, style), 160)
            page.add(.fill(x: x, y: page.y + 4, width: 12, height: 3, color: PDFColor.series(index)))
            page.addText(PDFTextBox(text: label, style: style, origin: PDFPoint(x: x + 16, y: page.y), width: width + 1, overflow: .ellipsize))
            x += 16 + width + 14
        }
        page.advance(Self.legendHeight)
    }

    /// The days that get a date label: the last day and every `stride`th before it, the stride
    /// chosen from 1, 2, a week or multiples of weeks so that labels do not crowd.
    func labelledDays(plotWidth: Double) -> [Int] {
        let count = series.dates.count
        guard count > 0 else { return [] }
        let room = max(2, Int(plotWidth / 52))
        var stride = 1
        for candidate in [1, 2, 7, 14, 28, 56, 91, 182, 364] {
            stride = candidate
            if (count - 1) / candidate + 1 <= room { break }
        }
        return Swift.stride(from: count - 1, through: 0, by: -stride).reversed()
    }

    /// `2026-03-15` as `Mar 15`.
    static func shortDate(_ iso: String) -> String {
        let parts = iso.split(separator: "-")
        guard parts.count == 3, let month = Int(parts[1]), (1...12).contains(month), let day = Int(parts[2]) else { return iso }
        return "\(months[month - 1]) \(day)"
    }
}
