import CXLSXWriter
import TallyReports

/// Native Excel charts over cells a sheet has already written: they refer to the cells rather than
/// copying the figures, so a reader that edits a figure sees the chart follow.
struct XLSXCharts {
    let workbook: XLSXWorkbook

    /// Rows an unscaled chart covers (288 px at the default 20 px a row), plus one row of gap.
    static let defaultHeightInRows = 16

    /// A line chart of a series laid out as a date column followed by one column per line: the
    /// dates are the categories, each line's header cell its name.
    func line(title: String, on sheet: XLSXWorksheet, headerRow: Int, lineColumns: ClosedRange<Int>, dataRows: ClosedRange<Int>) throws
        -> UnsafeMutablePointer<lxw_chart> {
        let chart = try workbook.addChart(LXW_CHART_LINE)
        for column in lineColumns {
            let series = try addSeries(to: chart, on: sheet, categoryColumn: 0, valueColumn: column, dataRows: dataRows)
            chart_series_set_name_range(series, sheet.name, lxw_row_t(headerRow), lxw_col_t(column))
        }
        chart_title_set_name(chart, Self.literal(title))
        chart_axis_set_num_format(chart.pointee.x_axis, "yyyy-mm-dd")
        chart_legend_set_position(chart, UInt8(LXW_CHART_LEGEND_BOTTOM.rawValue))
        return chart
    }

    /// A horizontal bar chart of one figure per row, the row's key (a bot, a channel) as its label,
    /// in the table's order (most messages first, top to bottom).
    func bars(title: String, on sheet: XLSXWorksheet, keyColumn: Int, valueColumn: Int, dataRows: ClosedRange<Int>) throws
        -> UnsafeMutablePointer<lxw_chart> {
        let chart = try workbook.addChart(LXW_CHART_BAR)
        _ = try addSeries(to: chart, on: sheet, categoryColumn: keyColumn, valueColumn: valueColumn, dataRows: dataRows)
        chart_title_set_name(chart, Self.literal(title))
        // A bar chart draws its first category at the bottom; reversing puts the table's first row on top.
        chart_axis_set_reverse(chart.pointee.y_axis)
        chart_legend_set_position(chart, UInt8(LXW_CHART_LEGEND_NONE.rawValue))
        return chart
    }

    private func addSeries(to chart: UnsafeMutablePointer<lxw_chart>, on sheet: XLSXWorksheet, categoryColumn: Int, valueColumn: Int,
                           dataRows: ClosedRange<Int>) throws -> UnsafeMutablePointer<lxw_chart_series> {
        guard let series = chart_add_series(chart, nil, nil) else { throw XLSXError("chart_add_series failed on \(sheet.name)") }
        let first = lxw_row_t(dataRows.lowerBound), last = lxw_row_t(dataRows.upperBound)
        chart_series_set_categories(series, sheet.name, first, lxw_col_t(categoryColumn), last, lxw_col_t(categoryColumn))
        chart_series_set_values(series, sheet.name, first, lxw_col_t(valueColumn), last, lxw_col_t(valueColumn))
        return series
    }

    /// A chart title as literal text: libxlsxwriter reads a title starting with `=` as a cell reference.
    static func literal(_ title: String) -> String {
        let text = XLSXText.cell(title)
        return text.hasPrefix("=") ? " " + text : text
    }
}
