import TallyReports

/// A section of the document: its heading (and bookmark), then each block as a chart, a table or
/// both. With charts, KPIs are cards, series line charts, heat maps shaded grids, and breakdown
/// tables get bars of their key figure above them; without, every block is a table.
struct PDFSection {
    var section: ReportDocument.Section
    var includeCharts: Bool

    /// The sections whose tables rank bots or channels, and so get bars.
    static let breakdowns: Set<SectionName> = [.botBreakdown, .channelBreakdown]
    static let gapBefore = 18.0
    static let gapBetweenBlocks = 12.0

    /// About how tall the part of `block` is that must share a page with the heading above it.
    func leadHeight(_ block: Block) -> Double {
        let tableHead = 60.0
        switch block {
        case .kpis: return includeCharts ? PDFKPIGrid.cardHeight : tableHead
        case .series(let series): return includeCharts ? PDFLineChart(series: series).estimatedHeight : tableHead
        case .table(let table):
            return includeCharts && Self.breakdowns.contains(section.name) ? PDFBarChart(table: table).estimatedHeight : tableHead
        case .heatmap: return includeCharts ? PDFHeatmap.estimatedHeight : tableHead
        }
    }

    func place(in page: PDFPageLayout) {
        let canvas = page.canvas
        page.space(Self.gapBefore)
        let heading = PDFTextBox(text: section.title, style: .sectionHeading, origin: PDFPoint(x: page.left, y: 0), width: page.width)
        let headingHeight = canvas.measure(heading).height + 6
        // A heading keeps with the start of its first block: all of a chart, the head of a table.
        let lead = section.blocks.first.map(leadHeight) ?? 0
        page.reserve(min(headingHeight + 8 + lead, page.pageContentHeight))
        page.add(.outline(title: section.title, y: page.y))
        page.addText(PDFTextBox(text: section.title, style: .sectionHeading, origin: PDFPoint(x: page.left, y: page.y), width: page.width))
        page.advance(headingHeight - 3)
        page.add(.stroke(points: [PDFPoint(x: page.left, y: page.y), PDFPoint(x: page.right, y: page.y)], color: .accent, width: 0.8))
        page.advance(8)

        for (index, block) in section.blocks.enumerated() {
            if index > 0 { page.space(Self.gapBetweenBlocks) }
            switch block {
            case .kpis(let group):
                if includeCharts { PDFKPIGrid(group: group).place(in: page) } else { PDFTable(group).place(in: page) }
            case .series(let series):
                if includeCharts { PDFLineChart(series: series).place(in: page) } else { PDFTable(series).place(in: page) }
            case .table(let table):
                if includeCharts && Self.breakdowns.contains(section.name) {
                    PDFBarChart(table: table).place(in: page)
                    page.space(Self.gapBetweenBlocks)
                }
                PDFTable(table).place(in: page)
            case .heatmap(let heatmap):
                if includeCharts { PDFHeatmap(heatmap: heatmap).place(in: page) } else { PDFTable(heatmap).place(in: page) }
            }
        }
    }
}
