import TallyDomain

/// The CSV format: one RFC 4180 file in long form, `section,metric,key,date,value`, UTF-8 with CRLF
/// line ends, every figure of the document on a row of its own.
///
/// - KPIs: `metric` is the figure's name, and `<name>.change` its change.
/// - Series: `metric` is `<series>.<line>`, `date` the day.
/// - Tables: `metric` is `<table>.<column>`, `key` the row's first cell (a bot, a bucket).
/// - Heat maps: `metric` is the heat map's name, `key` `<weekday> <hour>` (`Mon 09`).
/// - The title block is section `report`.
///
/// Text that came from events or users is untrusted: a text cell starting with `=`, `+`, `-`,
/// `@`, a tab or a carriage return is written with a leading `'`, so that a spreadsheet shows it
/// as text instead of running it as a formula. Figures are never prefixed (a change of −3 stays
/// a number).
public struct CSVReportRenderer: ReportRenderer {
    public var format: ReportFormat { .csv }
    public init() {}

    public static let header = ["section", "metric", "key", "date", "value"]

    public func render(_ document: ReportDocument, includeCharts: Bool) throws -> [UInt8] {
        var out = CSVWriter()
        out.row(Self.header.map { .text($0) })
        let t = document.title
        func meta(_ metric: String, _ value: String?, key: String = "") {
            out.row([.text("report"), .text(metric), .text(key), .text(""), value.map { .text($0) } ?? .text("")])
        }
        meta("title", t.title)
        meta("type", t.type.rawValue)
        meta("tenant", t.tenant)
        if let slice = t.slice { meta("slice", slice.value, key: slice.dimension) }
        meta("period_start", t.periodStart)
        meta("period_end", t.periodEnd)
        meta("time_zone", t.timeZone)
        meta("generated_at", t.generatedAt)
        meta("data_as_of.committed_at", t.dataAsOf.committedAt)
        for offset in t.dataAsOf.offsets {
            out.row([.text("report"), .text("data_as_of.next_offset"), .text("\(offset.topic)/\(offset.partition)"), .text(""),
                     .number(.count(offset.nextOffset))])
        }
        for section in document.sections {
            let name = CSVWriter.Cell.text(section.name.rawValue)
            for block in section.blocks {
                switch block {
                case .kpis(let group):
                    for item in group.items {
                        out.row([name, .text(item.name), .text(""), .text(""), .number(item.value)])
                        if let change = item.change { out.row([name, .text("\(item.name).change"), .text(""), .text(""), .number(change)]) }
                    }
                case .series(let series):
                    for line in series.lines {
                        for (date, value) in zip(series.dates, line.values) {
                            out.row([name, .text("\(series.name).\(line.name)"), .text(""), .text(date), .number(value)])
                        }
                    }
                case .table(let table):
                    for row in table.rows {
                        let key = row.first?.text ?? ""
                        for (column, cell) in zip(table.columns, row).dropFirst() {
                            let value: CSVWriter.Cell
                            switch cell {
                            case .number(let number): value = .number(number)
                            case .text(let text): value = .text(text)
                            case .empty: value = .text("")
                            }
                            out.row([name, .text("\(table.name).\(column.name)"), .text(key), .text(""), value])
                        }
                    }
                case .heatmap(let heatmap):
                    for (weekday, row) in zip(heatmap.rowLabels, heatmap.values) {
                        for (hour, value) in zip(heatmap.columnLabels, row) {
                            out.row([name, .text(heatmap.name), .text("\(weekday) \(hour)"), .text(""), .number(.count(value))])
                        }
                    }
                }
            }
        }
        return out.bytes
    }
}

/// RFC 4180 rows with formula neutralisation of text cells.
struct CSVWriter {
    enum Cell {
        /// Untrusted text: neutralised, then quoted when needed.
        case text(String)
        /// A figure, written as its exact decimal digits.
        case number(ReportNumber)
    }

    private(set) var bytes: [UInt8] = []

    /// The first characters that make a spreadsheet treat a cell as a formula or command.
    static let formulaStarts: Set<Character> = ["=", "+", "-", "@", "\t", "\r"]

    mutating func row(_ cells: [Cell]) {
        for (index, cell) in cells.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            bytes += Array(Self.field(cell).utf8)
        }
        bytes += [13, 10]
    }

    static func field(_ cell: Cell) -> String {
        switch cell {
        case .number(let number): return number.description
        case .text(let raw):
            let text = neutralised(raw)
            guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\r" || $0 == "\n" }) else { return text }
            return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
    }

    /// `text` with a leading `'` when it starts like a formula.
    static func neutralised(_ text: String) -> String {
        // unicodeScalars: "\r\n" is one Character in Swift, so check the first scalar.
        guard let first = text.unicodeScalars.first, formulaStarts.contains(Character(first)) else { return text }
        return "'" + text
    }
}
