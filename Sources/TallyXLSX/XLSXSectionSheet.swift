import CXLSXWriter
import TallyReports

/// One section's sheet: its blocks one below the other, each a bold title row, a header row and
/// its rows, with a blank row between blocks. The first block's title and header rows are frozen.
///
/// - KPIs: Metric | Label | Value | Change.
/// - Series: a Date column of real dates, then one column per line; with charts, a line chart.
/// - Tables: their columns; text cells as strings, `…_at` times as dates, figures as numbers; with
///   charts, the bot and channel breakdowns get a bar chart of their messages.
/// - Heat maps: Weekday | 00 … 23, a 7 × 24 grid of counts shaded by a colour scale.
///
/// Charts sit to the right of the widest block, stacked so that none covers another.
struct XLSXSectionSheet {
    static let frozenRows = 2

    let section: ReportDocument.Section
    let sheet: XLSXWorksheet
    /// Nil renders tables only.
    let charts: XLSXCharts?

    /// The sections whose table gets a bar chart of this figure.
    static let barChartFigure = "messages"
    static let barChartSections: Set<SectionName> = [.botBreakdown, .channelBreakdown]

    func write() throws {
        let widest = section.blocks.map(Self.columnCount).max() ?? 1
        // The first row the next chart may take: charts go below one another, never overlapping.
        var nextChartRow = 0
        var row = 0
        if section.blocks.isEmpty {
            try sheet.text(0, 0, section.title, sheet.formats.title)
        }
        for block in section.blocks {
            let chart = try write(block, at: row)
            if let chart {
                let chartRow = max(row, nextChartRow)
                try sheet.insert(chart.chart, row: chartRow, column: widest + 1, yScale: chart.yScale)
                nextChartRow = chartRow + Int((Double(XLSXCharts.defaultHeightInRows) * chart.yScale).rounded(.up))
            }
            row += Self.rowCount(block) + 1
        }
        try sheet.setWidth(24, columns: 0, 0)
        if widest > 1 { try sheet.setWidth(14, columns: 1, widest - 1) }
        sheet.freezeRows(Self.frozenRows)
    }

    /// Columns a block's cells take.
    static func columnCount(_ block: Block) -> Int {
        switch block {
        case .kpis: 4
        case .series(let series): 1 + series.lines.count
        case .table(let table): max(1, table.columns.count)
        case .heatmap(let heatmap): 1 + heatmap.columnLabels.count
        }
    }

    /// Rows a block takes: its title, its header and its rows.
    static func rowCount(_ block: Block) -> Int {
        switch block {
        case .kpis(let group): 2 + group.items.count
        case .series(let series): 2 + series.dates.count
        case .table(let table): 2 + table.rows.count
        case .heatmap(let heatmap): 2 + heatmap.values.count
        }
    }

    /// Writes `block` with its title at `top`; answers the chart to place beside it, if any.
    private func write(_ block: Block, at top: Int) throws -> (chart: UnsafeMutablePointer<lxw_chart>, yScale: Double)? {
        let formats = sheet.formats
        let header = top + 1, first = top + 2
        switch block {
        case .kpis(let group):
            try sheet.text(top, 0, "Key figures", formats.title)
            try sheet.header(header, ["Metric", "Label", "Value", "Change"])
            for (index, item) in group.items.enumerated() {
                try sheet.text(first + index, 0, item.name)
                try sheet.text(first + index, 1, item.label)
                try sheet.figure(first + index, 2, item.value)
                if let change = item.change { try sheet.figure(first + index, 3, change) }
            }
            return nil

        case .series(let series):
            try sheet.text(top, 0, series.title, formats.title)
            try sheet.header(header, ["Date"] + series.lines.map(\.label))
            for (index, date) in series.dates.enumerated() {
                try sheet.day(first + index, 0, date)
                for (column, line) in series.lines.enumerated() where index < line.values.count {
                    try sheet.figure(first + index, 1 + column, line.values[index])
                }
            }
            guard let charts, !series.dates.isEmpty, !series.lines.isEmpty else { return nil }
            let chart = try charts.line(title: series.title, on: sheet, headerRow: header, lineColumns: 1...series.lines.count,
                                        dataRows: first...(first + series.dates.count - 1))
            return (chart, 1)

        case .table(let table):
            try sheet.text(top, 0, table.title, formats.title)
            try sheet.header(header, table.columns.map(\.label))
            for (index, cells) in table.rows.enumerated() {
                for (column, cell) in cells.enumerated() {
                    let isTime = column < table.columns.count && table.columns[column].name.hasSuffix("_at")
                    switch cell {
                    case .text(let text) where isTime: try sheet.time(first + index, column, text)
                    case .text(let text): try sheet.text(first + index, column, text)
                    case .number(let number): try sheet.figure(first + index, column, number)
                    case .empty: break
                    }
                }
            }
            guard let charts, Self.barChartSections.contains(section.name), !table.rows.isEmpty,
                  let valueColumn = table.columns.firstIndex(where: { $0.name == Self.barChartFigure }) else { return nil }
            let title = "\(table.columns[valueColumn].label) by \(table.columns[0].label.lowercased())"
            let chart = try charts.bars(title: title, on: sheet, keyColumn: 0, valueColumn: valueColumn,
                                        dataRows: first...(first + table.rows.count - 1))
            // About 18 px a bar, so that a hundred bots stay readable; never smaller than the default.
            return (chart, max(1, Double(table.rows.count * 18 + 80) / 288))

        case .heatmap(let heatmap):
            try sheet.text(top, 0, heatmap.title, formats.title)
            try sheet.header(header, ["Weekday"] + heatmap.columnLabels)
            for (index, values) in heatmap.values.enumerated() {
                try sheet.text(first + index, 0, index < heatmap.rowLabels.count ? heatmap.rowLabels[index] : "")
                for (column, value) in values.enumerated() { try sheet.figure(first + index, 1 + column, .count(value)) }
            }
            if !heatmap.values.isEmpty, !heatmap.columnLabels.isEmpty {
                try sheet.colorScale(rows: first...(first + heatmap.values.count - 1), columns: 1...heatmap.columnLabels.count)
            }
            return nil
        }
    }
}
