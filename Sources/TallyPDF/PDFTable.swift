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
    /// Sizes (as fractions of the base) and text column widths (at the base size) to try, best first:
    /// wide text columns keep bot ids and channels on one line; a smaller size beats wrapping them.
    static let fits: [(scale: Double, narrowest: Double)] = [(1, 120), (0.875, 120), (0.8125, 120), (1, 70), (0.875, 70), (0.8125, 70), (0.75, 70), (0.75, 40)]
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

        // Natural widths at the base size; other sizes scale them, as unhinted text scales.
        let cellWidths = cells.map { row in row.map { $0.isEmpty ? 0 : canvas.width($0, body) } }
        let widest = columns.indices.map { column in cellWidths.map { $0[column] }.max() ?? 0 }
        let headerWidths = columns.map { canvas.width($0.label, head) }
        let headerWords = columns.map { column in
            column.label.split(separator: " ").map { canvas.width(String($0), head) }.max() ?? 0
        }
        // One extra point keeps pango's rounding from wrapping a text that exactly fits.
        let padding = 2 * Self.cellPadding + 1
        func minimum(_ index: Int, _ fit: (scale: Double, narrowest: Double)) -> Double {
            let natural = max(widest[index], headerWords[index] * Self.headerScale)
            return (columns[index].numeric ? natural : min(natural, fit.narrowest)) * fit.scale + padding
        }
        // The largest type, with text columns as wide as possible, whose narrowest columns fit.
        let fit = Self.fits.first { fit in columns.indices.map { minimum($0, fit) }.reduce(0, +) <= page.width } ?? Self.fits.last!
        let scale = fit.scale
        var widths = columns.indices.map { minimum($0, fit) }
        let total = widths.reduce(0, +)
        if total > page.width { widths = widths.map { $0 * page.width / total } }

        // Spare width goes first to text columns short of their content, then to headers that
        // would wrap, then evenly to all, so the table spans the page.
        func grow(_ targets: [Double]) {
            let spare = page.width - widths.reduce(0, +)
            let deficits = zip(targets, widths).map { max(0, $0 - $1) }
            let total = deficits.reduce(0, +)
            guard spare > 0, total > 0 else { return }
            for index in widths.indices { widths[index] += min(deficits[index], spare * deficits[index] / total) }
        }
        grow(columns.indices.map { columns[$0].numeric ? 0 : max(widest[$0], headerWidths[$0] * Self.headerScale) * scale + padding })
        grow(columns.indices.map { max(widest[$0], headerWidths[$0] * Self.headerScale) * scale + padding })
        let spare = page.width - widths.reduce(0, +)
        if spare > 0 { widths = widths.map { $0 + spare / Double(widths.count) } }

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
            page.add(.fill(x: page.left, y: page.y, width: page.width, height: headerHeight, color: .header))
            var x = page.left
            for column in columns.indices {
                page.addText(box(columns[column].label, headStyle, column: column, widths: widths, x: x, y: page.y + Self.rowPadding))
                x += widths[column]
            }
            page.advance(headerHeight)
            page.add(.stroke(points: [PDFPoint(x: page.left, y: page.y), PDFPoint(x: page.right, y: page.y)], color: .rule, width: 0.6))
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
            if row % 2 == 1 { page.add(.fill(x: page.left, y: page.y, width: page.width, height: rowHeights[row], color: .stripe)) }
            var x = page.left
            for column in columns.indices {
                if !cells[row][column].isEmpty {
                    page.addText(box(cells[row][column], bodyStyle, column: column, widths: widths, x: x, y: page.y + Self.rowPadding))
                }
                x += widths[column]
            }
            page.advance(rowHeights[row])
        }
        page.add(.stroke(points: [PDFPoint(x: page.left, y: page.y), PDFPoint(x: page.right, y: page.y)], color: .rule, width: 0.6))
    }

    private func box(_ text: String, _ style: PDFTextStyle, column: Int, widths: [Double], x: Double, y: Double) -> PDFTextBox {
        PDFTextBox(text: text, style: style, origin: PDFPoint(x: x + Self.cellPadding, y: y), width: widths[column] - 2 * Self.cellPadding,
                          alignment: columns[column].numeric ? .right : .left, overflow: .wrap)
    }

    private static func shown(_ text: String) -> String {
        text.count > longestCell ? String(text.prefix(longestCell)) + "…" : text
    }
}
