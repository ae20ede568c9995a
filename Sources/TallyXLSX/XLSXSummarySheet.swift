import TallyReports

/// The first sheet: what the report is about (the title block) and every section's key figures.
///
/// ```
/// Report                                  (title row)
/// Field | Value | Detail                  (header row; rows 1–2 frozen)
/// Title, Type, Tenant, Slice (value | dimension), Period start, Period end (dates),
/// Time zone, Generated at (UTC), Data as of (UTC), Next offset (number | topic/partition)…
///
/// Key figures
/// Section | Metric | Label | Value | Change
/// ```
struct XLSXSummarySheet {
    static let name = "Summary"
    /// The title and header rows of the first block, kept in view.
    static let frozenRows = 2

    let document: ReportDocument
    let sheet: XLSXWorksheet

    func write() throws {
        let t = document.title
        let formats = sheet.formats
        try sheet.text(0, 0, "Report", formats.title)
        try sheet.header(1, ["Field", "Value", "Detail"])
        var row = 2
        func field(_ label: String, _ write: (Int) throws -> Void) throws {
            try sheet.text(row, 0, label)
            try write(row)
            row += 1
        }
        try field("Title") { try sheet.text($0, 1, t.title) }
        try field("Type") { try sheet.text($0, 1, t.type.rawValue) }
        try field("Tenant") { try sheet.text($0, 1, t.tenant) }
        if let slice = t.slice {
            try field("Slice") { try sheet.text($0, 1, slice.value); try sheet.text($0, 2, slice.dimension) }
        }
        try field("Period start") { try sheet.day($0, 1, t.periodStart) }
        try field("Period end") { try sheet.day($0, 1, t.periodEnd) }
        try field("Time zone") { try sheet.text($0, 1, t.timeZone) }
        try field("Generated at (UTC)") { try sheet.time($0, 1, t.generatedAt) }
        try field("Data as of (UTC)") { row in
            if let committedAt = t.dataAsOf.committedAt { try sheet.time(row, 1, committedAt) } else { try sheet.text(row, 1, "no batch committed yet") }
        }
        for offset in t.dataAsOf.offsets {
            try field("Next offset") { try sheet.figure($0, 1, .count(offset.nextOffset)); try sheet.text($0, 2, "\(offset.topic)/\(offset.partition)") }
        }

        row += 1
        try sheet.text(row, 0, "Key figures", formats.title)
        try sheet.header(row + 1, ["Section", "Metric", "Label", "Value", "Change"])
        row += 2
        for section in document.sections {
            for case .kpis(let group) in section.blocks {
                for item in group.items {
                    try sheet.text(row, 0, section.name.rawValue)
                    try sheet.text(row, 1, item.name)
                    try sheet.text(row, 2, item.label)
                    try sheet.figure(row, 3, item.value)
                    if let change = item.change { try sheet.figure(row, 4, change) }
                    row += 1
                }
            }
        }
        try sheet.setWidth(22, columns: 0, 0)
        try sheet.setWidth(26, columns: 1, 2)
        try sheet.setWidth(14, columns: 3, 4)
        sheet.freezeRows(Self.frozenRows)
    }
}
