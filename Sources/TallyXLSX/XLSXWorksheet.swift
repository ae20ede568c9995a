import CXLSXWriter
import TallyDomain

/// One worksheet of an `XLSXWorkbook`, written cell by cell with every return code checked.
///
/// Text is only ever written as a string cell (`XLSXText`), figures as numbers, days and times as
/// dates. The handle belongs to the workbook and is valid while the workbook is open.
struct XLSXWorksheet {
    /// Excel's grid: 1,048,576 rows by 16,384 columns.
    static let rowLimit = 1_048_576
    static let columnLimit = 16_384

    let handle: UnsafeMutablePointer<lxw_worksheet>
    /// The sheet's name, which charts use to refer to its cells.
    let name: String
    let formats: XLSXFormats

    private func cell(_ row: Int, _ column: Int) throws -> (lxw_row_t, lxw_col_t) {
        guard (0..<Self.rowLimit).contains(row), (0..<Self.columnLimit).contains(column) else {
            throw XLSXError("cell (\(row), \(column)) of \(name.debugDescription) is outside Excel's grid")
        }
        return (lxw_row_t(row), lxw_col_t(column))
    }

    /// A string cell holding `text` exactly, whatever it starts with.
    func text(_ row: Int, _ column: Int, _ text: String, _ format: UnsafeMutablePointer<lxw_format>? = nil) throws {
        let (r, c) = try cell(row, column)
        try XLSXError.check(worksheet_write_string(handle, r, c, XLSXText.cell(text), format), "worksheet_write_string at \(name)!\(row),\(column)")
    }

    /// A numeric cell holding `number`, formatted as its unit of precision.
    func figure(_ row: Int, _ column: Int, _ number: ReportNumber) throws {
        let (r, c) = try cell(row, column)
        try XLSXError.check(worksheet_write_number(handle, r, c, number.doubleValue, formats.figure(number)),
                            "worksheet_write_number at \(name)!\(row),\(column)")
    }

    /// A date cell for a `YYYY-MM-DD` day; a day that does not parse is written as text.
    func day(_ row: Int, _ column: Int, _ iso: String) throws {
        guard var datetime = XLSXDateTime.day(iso) else { return try text(row, column, iso) }
        let (r, c) = try cell(row, column)
        try XLSXError.check(worksheet_write_datetime(handle, r, c, &datetime, formats.date), "worksheet_write_datetime at \(name)!\(row),\(column)")
    }

    /// A date-and-time cell for a UTC time in Tally's RFC 3339 form; anything else is written as text.
    func time(_ row: Int, _ column: Int, _ rfc3339: String) throws {
        guard var datetime = XLSXDateTime.utc(rfc3339)?.datetime else { return try text(row, column, rfc3339) }
        let (r, c) = try cell(row, column)
        try XLSXError.check(worksheet_write_datetime(handle, r, c, &datetime, formats.dateTime), "worksheet_write_datetime at \(name)!\(row),\(column)")
    }

    /// Bold header cells, one per label, from `column` rightwards.
    func header(_ row: Int, _ labels: [String], from column: Int = 0) throws {
        for (offset, label) in labels.enumerated() { try text(row, column + offset, label, formats.header) }
    }

    /// Keeps the top `rows` rows in view while the rest scrolls.
    func freezeRows(_ rows: Int) {
        worksheet_freeze_panes(handle, lxw_row_t(rows), 0)
    }

    /// Sets the width (in characters) of columns `first...last`.
    func setWidth(_ width: Double, columns first: Int, _ last: Int) throws {
        let (_, from) = try cell(0, first)
        let (_, to) = try cell(0, last)
        try XLSXError.check(worksheet_set_column(handle, from, to, width, nil), "worksheet_set_column on \(name)")
    }

    /// Places `chart` with its top left corner at a cell, scaled from Excel's default 480 × 288 px.
    func insert(_ chart: UnsafeMutablePointer<lxw_chart>, row: Int, column: Int, xScale: Double = 1, yScale: Double = 1) throws {
        let (r, c) = try cell(row, column)
        var options = lxw_chart_options()
        options.x_scale = xScale
        options.y_scale = yScale
        try XLSXError.check(worksheet_insert_chart_opt(handle, r, c, chart, &options), "worksheet_insert_chart at \(name)!\(row),\(column)")
    }

    /// Shades the numbers of a range from white (lowest) to blue (highest).
    func colorScale(rows: ClosedRange<Int>, columns: ClosedRange<Int>) throws {
        let (firstRow, firstColumn) = try cell(rows.lowerBound, columns.lowerBound)
        let (lastRow, lastColumn) = try cell(rows.upperBound, columns.upperBound)
        var rule = lxw_conditional_format()
        rule.type = UInt8(LXW_CONDITIONAL_2_COLOR_SCALE.rawValue)
        rule.min_color = 0xFFFFFF
        rule.max_color = 0x4F81BD
        try XLSXError.check(worksheet_conditional_format_range(handle, firstRow, firstColumn, lastRow, lastColumn, &rule),
                            "worksheet_conditional_format_range on \(name)")
    }
}
