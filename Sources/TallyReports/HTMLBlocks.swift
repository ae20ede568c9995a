import TallyDomain

/// The HTML of each kind of block: KPI cards, tables, and inline SVG charts (a line chart per
/// series, bars for a table's first figure, a shaded grid for a heat map). Coordinates are whole
/// pixels, computed with integer rounding, so the same document always gives the same markup.
enum HTMLBlocks {
    static let palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd"]

    static func render(_ block: Block, into html: inout HTMLText, charts: Bool) {
        switch block {
        case .kpis(let group): kpis(group, into: &html)
        case .series(let series):
            heading(series.title, into: &html)
            if charts {
                for (offset, panel) in panels(of: series) { lineChart(panel, colorOffset: offset, into: &html) }
            }
            seriesTable(series, into: &html)
        case .table(let table):
            heading(table.title, into: &html)
            if charts { barChart(table, into: &html) }
            dataTable(table, into: &html)
        case .heatmap(let heatmap):
            heading(heatmap.title, into: &html)
            if charts { heatmapChart(heatmap, into: &html) }
            heatmapTable(heatmap, into: &html)
        }
    }

    static func heading(_ title: String, into html: inout HTMLText) {
        html.raw("<h3>"); html.text(title); html.raw("</h3>\n")
    }

    static func kpis(_ group: KPIGroup, into html: inout HTMLText) {
        html.raw("<div class=\"kpis\">\n")
        for item in group.items {
            html.raw("<div class=\"kpi\" data-metric=\""); html.text(item.name); html.raw("\"><div>"); html.text(item.label)
            html.raw("</div><div class=\"v\">"); html.text(format(item.value, item.unit)); html.raw("</div>")
            if let change = item.change {
                html.raw("<div class=\"c\">change "); html.text((change.inHundredths > 0 ? "+" : "") + format(change, item.unit)); html.raw("</div>")
            }
            html.raw("</div>\n")
        }
        html.raw("</div>\n")
    }

    static func format(_ number: ReportNumber, _ unit: FigureUnit) -> String { unit.text(number) }

    static func seriesTable(_ series: Series, into html: inout HTMLText) {
        html.raw("<table data-block=\""); html.text(series.name); html.raw("\">\n<thead><tr><th>Date</th>")
        for line in series.lines { html.raw("<th>"); html.text(line.label); html.raw("</th>") }
        html.raw("</tr></thead>\n<tbody>\n")
        for (index, date) in series.dates.enumerated() {
            html.raw("<tr><td>"); html.text(date); html.raw("</td>")
            for line in series.lines { html.raw("<td class=\"n\">"); html.text(line.values[index].description); html.raw("</td>") }
            html.raw("</tr>\n")
        }
        html.raw("</tbody>\n</table>\n")
    }

    static func dataTable(_ table: Table, into html: inout HTMLText) {
        html.raw("<table data-block=\""); html.text(table.name); html.raw("\">\n<thead><tr>")
        for column in table.columns { html.raw("<th>"); html.text(column.label); html.raw("</th>") }
        html.raw("</tr></thead>\n<tbody>\n")
        for row in table.rows {
            html.raw("<tr>")
            for cell in row {
                if case .number = cell { html.raw("<td class=\"n\">") } else { html.raw("<td>") }
                html.text(cell.text)
                html.raw("</td>")
            }
            html.raw("</tr>\n")
        }
        html.raw("</tbody>\n</table>\n")
    }

    static func heatmapTable(_ heatmap: Heatmap, into html: inout HTMLText) {
        html.raw("<table data-block=\""); html.text(heatmap.name); html.raw("\">\n<thead><tr><th></th>")
        for label in heatmap.columnLabels { html.raw("<th>"); html.text(label); html.raw("</th>") }
        html.raw("</tr></thead>\n<tbody>\n")
        for (label, row) in zip(heatmap.rowLabels, heatmap.values) {
            html.raw("<tr><th>"); html.text(label); html.raw("</th>")
            for value in row { html.raw("<td class=\"n\">\(value)</td>") }
            html.raw("</tr>\n")
        }
        html.raw("</tbody>\n</table>\n")
    }

    /// The charts a series is drawn in, each with the palette index of its first line: one for
    /// all lines, or one per line when their largest values differ more than 5×, so that a small
    /// line (conversations) is not flattened against a large one (tokens) on a shared scale.
    static func panels(of series: Series) -> [(Int, Series)] {
        let maxima = series.lines.map { $0.values.map(\.inHundredths).max() ?? 0 }
        guard let largest = maxima.max(), let smallest = maxima.filter({ $0 > 0 }).min(), largest > 5 * smallest else { return [(0, series)] }
        return series.lines.enumerated().map { index, line in
            (index, Series(name: series.name, title: "\(series.title): \(line.label)", unit: series.unit, dates: series.dates, lines: [line]))
        }
    }

    /// One polyline per line over the period, scaled to the largest value.
    static func lineChart(_ series: Series, colorOffset: Int = 0, into html: inout HTMLText) {
        let width = 720, height = 200, left = 50, bottom = 20, top = 10
        let maximum = max(1, series.lines.flatMap { $0.values.map(\.inHundredths) }.max() ?? 1)
        let count = max(1, series.dates.count - 1)
        html.raw("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(height + 20)\" role=\"img\" aria-label=\"")
        html.text(series.title)
        html.raw("\">\n<line x1=\"\(left)\" y1=\"\(height - bottom)\" x2=\"\(width)\" y2=\"\(height - bottom)\" stroke=\"#999\"/>")
        html.raw("<text x=\"0\" y=\"\(top + 10)\" font-size=\"10\">"); html.text(ReportNumber.hundredths(maximum).description); html.raw("</text>")
        html.raw("<text x=\"0\" y=\"\(height - bottom)\" font-size=\"10\">0</text>\n")
        if let first = series.dates.first, let last = series.dates.last {
            html.raw("<text x=\"\(left)\" y=\"\(height)\" font-size=\"10\">"); html.text(first); html.raw("</text>")
            html.raw("<text x=\"\(width - 60)\" y=\"\(height)\" font-size=\"10\">"); html.text(last); html.raw("</text>\n")
        }
        for (index, line) in series.lines.enumerated() {
            let points = line.values.enumerated().map { day, value in
                let x = left + (width - left - 10) * day / count
                let y = height - bottom - Int((Int64(height - bottom - top) * max(0, value.inHundredths)) / maximum)
                return "\(x),\(y)"
            }.joined(separator: " ")
            let color = palette[(colorOffset + index) % palette.count]
            html.raw("<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\" points=\"\(points)\"/>")
            html.raw("<text x=\"\(left + 10 + 110 * index)\" y=\"\(height + 16)\" font-size=\"11\" fill=\"\(color)\">")
            html.text(line.label)
            html.raw("</text>\n")
        }
        html.raw("</svg>\n")
    }

    /// Horizontal bars of a table's first figure column, for its first 20 rows.
    static func barChart(_ table: Table, into html: inout HTMLText) {
        guard let column = table.columns.indices.dropFirst().first(where: { table.columns[$0].type != "text" }) else { return }
        let rows = table.rows.prefix(20)
        guard !rows.isEmpty else { return }
        let values = rows.map { row -> Int64 in
            if case .number(let n) = row[column] { return max(0, n.inHundredths) }
            return 0
        }
        let maximum = max(1, values.max() ?? 1)
        let barHeight = 16, labelWidth = 200, width = 720
        html.raw("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(rows.count * (barHeight + 4) + 4)\" role=\"img\" aria-label=\"")
        html.text(table.columns[column].label)
        html.raw("\">\n")
        for (index, row) in rows.enumerated() {
            let y = 4 + index * (barHeight + 4)
            let length = Int(Int64(width - labelWidth - 60) * values[index] / maximum)
            html.raw("<text x=\"0\" y=\"\(y + 12)\" font-size=\"11\">"); html.text(String(row[0].text.prefix(32))); html.raw("</text>")
            html.raw("<rect x=\"\(labelWidth)\" y=\"\(y)\" width=\"\(length)\" height=\"\(barHeight)\" fill=\"\(palette[0])\"/>")
            html.raw("<text x=\"\(labelWidth + length + 4)\" y=\"\(y + 12)\" font-size=\"11\">"); html.text(row[column].text); html.raw("</text>\n")
        }
        html.raw("</svg>\n")
    }

    /// A 7 × 24 grid, each cell shaded by its share of the busiest cell.
    static func heatmapChart(_ heatmap: Heatmap, into html: inout HTMLText) {
        let cell = 24, left = 40, top = 16
        let maximum = max(1, heatmap.values.joined().max() ?? 1)
        html.raw("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(left + 24 * cell)\" height=\"\(top + 7 * cell)\" role=\"img\" aria-label=\"")
        html.text(heatmap.title)
        html.raw("\">\n")
        for (hour, label) in heatmap.columnLabels.enumerated() where hour % 3 == 0 {
            html.raw("<text x=\"\(left + hour * cell + 4)\" y=\"12\" font-size=\"10\">"); html.text(label); html.raw("</text>")
        }
        for (weekday, row) in heatmap.values.enumerated() {
            html.raw("<text x=\"0\" y=\"\(top + weekday * cell + 16)\" font-size=\"11\">"); html.text(heatmap.rowLabels[weekday]); html.raw("</text>")
            for (hour, value) in row.enumerated() {
                let shade = 255 - Int(200 * value / maximum)
                html.raw("<rect x=\"\(left + hour * cell)\" y=\"\(top + weekday * cell)\" width=\"\(cell - 1)\" height=\"\(cell - 1)\" fill=\"rgb(\(shade),\(shade),255)\"><title>\(value)</title></rect>")
            }
            html.raw("\n")
        }
        html.raw("</svg>\n")
    }
}
