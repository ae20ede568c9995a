import TallyReports

/// The first page's head: the report's kind, its title, and a panel of what the figures are of
/// (tenant, slice, period, time zone) and which data they reflect (generated at, data as of).
struct PDFTitleBlock {
    var title: ReportDocument.TitleBlock

    static let labelWidth = 78.0
    static let panelPadding = 8.0

    /// The panel's rows, label and value, in the order shown.
    var fields: [(label: String, value: String)] {
        var fields: [(String, String)] = [("Tenant", title.tenant)]
        if let slice = title.slice { fields.append((slice.dimension == "bot_id" ? "Bot" : "Channel", slice.value)) }
        fields += [("Period", "\(title.periodStart) to \(title.periodEnd)"), ("Time zone", title.timeZone), ("Generated at", title.generatedAt)]
        let offsets = title.dataAsOf.offsets.map { "\($0.topic)/\($0.partition)@\($0.nextOffset)" }.joined(separator: ", ")
        fields.append(("Data as of", (title.dataAsOf.committedAt ?? "no batch committed yet") + (offsets.isEmpty ? "" : " (offsets \(offsets))")))
        return fields
    }

    func place(in page: PDFPageLayout) {
        let canvas = page.canvas
        page.addText(PDFTextBox(text: "TALLY · \(title.type.defaultTitle.uppercased())", style: PDFTextStyle(size: 7.5, bold: true, color: .accent),
                                origin: PDFPoint(x: page.left, y: page.y), width: page.width, overflow: .ellipsize))
        page.advance(canvas.lineHeight(PDFTextStyle(size: 7.5)) + 4)
        let heading = PDFTextBox(text: title.title, style: .title, origin: PDFPoint(x: page.left, y: page.y), width: page.width)
        page.addText(heading)
        page.advance(canvas.measure(heading).height + 8)

        let labelStyle = PDFTextStyle(size: 8, bold: true, color: .muted)
        let valueWidth = page.width - Self.labelWidth - 2 * Self.panelPadding
        let rows = fields.map { field in
            (field, canvas.measure(PDFTextBox(text: field.value, style: .body, origin: PDFPoint(x: 0, y: 0), width: valueWidth)).height + 3)
        }
        let panelHeight = rows.map(\.1).reduce(0, +) + 2 * Self.panelPadding - 3
        page.reserve(panelHeight)
        page.add(.fill(x: page.left, y: page.y, width: page.width, height: panelHeight, color: .panel))
        var y = page.y + Self.panelPadding
        for (field, height) in rows {
            page.addText(PDFTextBox(text: field.label, style: labelStyle, origin: PDFPoint(x: page.left + Self.panelPadding, y: y + 0.5)))
            page.addText(PDFTextBox(text: field.value, style: .body, origin: PDFPoint(x: page.left + Self.panelPadding + Self.labelWidth, y: y),
                                    width: valueWidth))
            y += height
        }
        page.advance(panelHeight)
    }
}
