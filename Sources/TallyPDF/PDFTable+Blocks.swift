import TallyReports

/// The tables each kind of block shows: its own rows, and, when charts are left out, a series as a
/// table of date × line, a heat map as a 7 × 24 table and key figures as a table of value and change.
extension PDFTable {
    init(_ table: Table) {
        self.init(title: table.title,
                  columns: table.columns.map { Column(label: $0.label, numeric: $0.type != "text") },
                  rows: table.rows.map { row in
                      zip(table.columns, row).map { column, cell in PDFNumberText.cell(cell, columnType: column.type) }
                  })
    }

    init(_ series: Series) {
        self.init(title: series.title,
                  columns: [Column(label: "Date", numeric: false)] + series.lines.map { Column(label: $0.label, numeric: true) },
                  rows: series.dates.indices.map { day in
                      [series.dates[day]] + series.lines.map { line in
                          day < line.values.count ? PDFNumberText.figure(line.values[day], series.unit) : ""
                      }
                  })
    }

    init(_ heatmap: Heatmap) {
        self.init(title: heatmap.title,
                  columns: [Column(label: "Day", numeric: false)] + heatmap.columnLabels.map { Column(label: $0, numeric: true) },
                  rows: zip(heatmap.rowLabels, heatmap.values).map { label, values in
                      [label] + values.map { PDFNumberText.grouped(.count($0)) }
                  })
    }

    init(_ group: KPIGroup) {
        self.init(title: "Key figures, with their change against the previous period",
                  columns: [Column(label: "Figure", numeric: false), Column(label: "Value", numeric: true),
                            Column(label: "Change", numeric: true)],
                  rows: group.items.map { item in
                      [item.label, PDFNumberText.figure(item.value, item.unit), item.change.map { PDFNumberText.change($0, item.unit) } ?? ""]
                  })
    }
}
