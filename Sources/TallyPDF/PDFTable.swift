/// A table laid out across pages: columns sized to their content within the page width, text cells
/// wrapped, figures right-aligned, and the title and header row repeated on every page it reaches.
struct PDFTable {
    struct Column {
        var label: String
        var numeric: Bool
    }

    var title: String
    var columns: [Column]
    /// Display strings, one per column in each row.
    var rows: [[String]]

    /// The body size when everything fits; wide tables (a heat map's 25 columns) step down from it.
    static let baseSize = 8.0
    /// A word longer than this (at the base size) may be broken: a column must not take the page.
    static let longestUnbrokenText = 150.0
    /// Header labels are set this much smaller than the body, so that they rarely set a column's width.
    static let headerScale = 0.9
    static let cellPadding = 3.5
    static let rowPadding = 2.5
    /// A cell shows at most this many characters, so that no single row can outgrow a page.
    static let longestCell = 1_500

    func place(in page: PDFPageLayout) {
        let canvas = page.canvas
        let body = PDFTextStyle(size: Self.baseSize)
        let head = PDFTextStyle(size: Self.baseSize, bold: true)
        let cells = rows.map { row in columns.indices.map { index in Self.shown(index < row.count ? row[index] : "") } }

        // Widths at the base size; other sizes scale them, as unhinted text at exact advances does.
        let cellWidths = cells.map { row in row.map { $0.isEmpty ? 0 : canvas.width($0, body) } }
        func longestWord(_ text: String, width: Double, _ style: PDFTextStyle) -> Double {
            guard text.contains(where: \.isWhitespace) else { return width }
            return text.split(whereSeparator: \.isWhitespace).map { canvas.width(String($0), style) }.max() ?? 0
        }
        var minimum = columns.map { longestWord($0.label, width: canvas.width($0.label, head), head) * Self.headerScale }
        var natural = columns.map { canvas.width($0.label, head) * Self.headerScale }
        for (row, rowWidths) in zip(cells, cellWidths) {
            for column in columns.indices where rowWidths[column] > 0 {
                natural[column] = max(natural[column], rowWidths[column])
                let word = columns[column].numeric ? rowWidths[column] : min(Self.longestUnbrokenText, longestWord(row[column], width: rowWidths[column], body))
                minimum[column] = max(minimum[column], word)
            }
        }
        // One extra point keeps pango's rounding from wrapping a text that exactly fits.
        let padding = 2 * Self.cellPadding + 1
        let (scale, widths) = PDFColumnWidths(minimum: minimum, natural: natural, padding: padding).fit(page.width)
        let width = widths.reduce(0, +)

        let bodyStyle = PDFTextStyle(size: Self.baseSize * scale)
        let headStyle = PDFTextStyle(size: Self.baseSize * scale * Self.headerScale, bold: true)
        let line = canvas.lineHeight(bodyStyle)
        let rowHeights = cells.indices.map { row in
            var height = line
            for column in columns.indices where !cells[row][column].isEmpty {
                let text = cells[row][column]
                let fits = cellWidths[row][column] * scale <= widths[column] - padding - 1
                if fits && !text.contains(where: \.isNewline) { continue }
                height = max(height, canvas.measure(box(text, bodyStyle, column: column, widths: widths, x: 0, y: 0)).height)
            }
            return height + 2 * Self.rowPadding
        }
        let headerHeight = columns.indices.map { column in
            canvas.measure(box(columns[column].label, headStyle, column: column, widths: widths, x: 0, y: 0)).height
        }.max().map { $0 + 2 * Self.rowPadding + 1 } ?? 0
        let titleHeight = canvas.measure(PDFTextBox(text: title, style: .blockHeading, origin: PDFPoint(x: 0, y: 0), width: page.width)).height + 4

        func header(continued: Bool) {
            page.addText(PDFTextBox(text: continued ? "\(title) (continued)" : title, style: .blockHeading,
                                    origin: PDFPoint(x: page.left, y: page.y), width: page.width))
            page.advance(titleHeight)
            page.add(.fill(x: page.left, y: page.y, width: width, height: headerHeight, color: .header))
            var x = page.left
            for column in columns.indices {
                page.addText(box(columns[column].label, headStyle, column: column, widths: widths, x: x, y: page.y + Self.rowPadding))
                x += widths[column]
            }
            page.advance(headerHeight)
            page.add(.stroke(points: [PDFPoint(x: page.left, y: page.y), PDFPoint(x: page.left + width, y: page.y)], color: .rule, width: 0.6))
        }

        page.reserve(titleHeight + headerHeight + (rowHeights.first ?? line + 2 * Self.rowPadding))
        header(continued: false)
        if cells.isEmpty {
            page.addText(PDFTextBox(text: "No rows in this period.", style: PDFTextStyle(size: bodyStyle.size, color: .muted),
                                    origin: PDFPoint(x: page.left + Self.cellPadding, y: page.y + Self.rowPadding)))
            page.advance(line + 2 * Self.rowPadding)
        }
        for row in cells.indices {
            if rowHeights[row] > page.remaining {
                page.newPage()
                header(continued: true)
            }
            if row % 2 == 1 { page.add(.fill(x: page.left, y: page.y, width: width, height: rowHeights[row], color: .stripe)) }
            var x = page.left
            for column in columns.indices {
                if !cells[row][column].isEmpty {
                    page.addText(box(cells[row][column], bodyStyle, column: column, widths: widths, x: x, y: page.y + Self.rowPadding))
                }
                x += widths[column]
            }
            page.advance(rowHeights[row])
        }
        page.add(.stroke(points: [PDFPoint(x: page.left, y: page.y), PDFPoint(x: page.left + width, y: page.y)], color: .rule, width: 0.6))
    }

    private func box(_ text: String, _ style: PDFTextStyle, column: Int, widths: [Double], x: Double, y: Double) -> PDFTextBox {
        PDFTextBox(text: text, style: style, origin: PDFPoint(x: x + Self.cellPadding, y: y), width: widths[column] - 2 * Self.cellPadding,
                          alignment: columns[column].numeric ? .right : .left, overflow: .wrap)
    }

    private static func shown(_ text: String) -> String {
        text.count > longestCell ? String(text.prefix(longestCell)) + "…" : text
    }
}
