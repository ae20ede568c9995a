import Foundation
import Testing
import TallyDomain
import TallyPDF
import TallyReports
import TallyTestSupport

/// The PDF read back with poppler-utils: A4 pages, metadata, the title block, the oracle's figures,
/// hostile strings as literal text, tables across pages with their header repeated, page numbers,
/// charts only when asked for, and the same bytes for the same document.
@Suite("PDF report renderer")
struct ReportPDFTests {
    static let renderer = PDFReportRenderer()

    /// Every type with the default sections it can build today (none yet for compliance: its
    /// document is the title block alone), and one custom report of every available section.
    static var specs: [ReportSpec] {
        ReportType.allCases.filter { $0 != .custom }.map { ReportFixtures.spec($0) } + [ReportFixtures.everything]
    }

    /// A document of one hand-made table of `rows` rows, longer than a page.
    static func longTable(rows: Int) -> ReportDocument {
        let title = ReportDocument.TitleBlock(
            title: "Long table", type: .custom, tenant: "tenant-long", slice: nil, periodStart: Day(iso: "2026-03-01")!,
            periodEnd: Day(iso: "2026-03-31")!, timeZone: "UTC", generatedAt: "2026-04-01T08:30:00.000Z",
            dataAsOf: .init(committedAt: "2026-04-01T08:29:59.000Z", offsets: [.init(topic: "events", partition: 0, nextOffset: 42)]))
        let table = Table(name: "rows", title: "Numbered rows", columns: [.text("key", "Row key"), .number("value", "Row value")],
                          rows: (1...rows).map { [.text("row-\(String(1000 + $0).dropFirst())"), .number(.count(Int64($0 * 7)))] })
        return ReportDocument(title: title, sections: [.init(name: .messageMix, blocks: [.table(table)])])
    }

    @Test("every type's document renders to A4 pages with its title, Tally as creator and the dates of generated_at")
    func everyTypeRenders() async throws {
        for spec in Self.specs {
            let document = try await ReportFixtures.document(spec)
            for charts in [true, false] {
                let pdf = try Self.renderer.render(document, includeCharts: charts)
                #expect(pdf.starts(with: Array("%PDF-".utf8)))
                let info = try PopplerReader.info(pdf)
                let pages = try #require(Int(info["Pages"] ?? ""))
                #expect(pages >= 1)
                #expect(info["Page size"] == "595.28 x 841.89 pts (A4)", "\(spec.type) charts \(charts)")
                #expect(info["Title"] == document.title.title)
                #expect(info["Creator"] == "Tally")
                #expect(info["Subject"]?.contains(document.title.tenant) == true)
                #expect(info["CreationDate"] == "2026-03-15T12:00:00Z", "the document's generated_at, not the clock")
                #expect(info["ModDate"] == "2026-03-15T12:00:00Z")
                let text = try PopplerReader.text(pdf)
                for section in document.sections { #expect(text.contains(section.title), "\(spec.type): \(section.title)") }
                print("PDF \(spec.type.rawValue) charts=\(charts): \(pages) pages, \(pdf.count) bytes")
            }
        }
    }

    @Test("the title block shows title, tenant, period, time zone, generated at and data as of")
    func titleBlock() async throws {
        let document = try await ReportFixtures.document(ReportFixtures.spec(.usage))
        let t = document.title
        let page = try PopplerReader.text(try Self.renderer.render(document, includeCharts: true), first: 1, last: 1)
        let lines = page.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ") }
        #expect(lines.contains("Monthly <b>report</b>"), "the title, its markup as text")
        #expect(lines.contains("Tenant \(t.tenant)"))
        #expect(lines.contains("Period \(t.periodStart) to \(t.periodEnd)"))
        #expect(lines.contains("Time zone \(t.timeZone)"))
        #expect(lines.contains("Generated at \(t.generatedAt)"))
        let committed = try #require(t.dataAsOf.committedAt)
        #expect(lines.contains { $0.hasPrefix("Data as of \(committed)") && $0.contains("events/0@\(ReportFixtures.events.count)") })
    }

    @Test("KPI values and daily figures read back equal the oracle's, with charts and without")
    func oracleFigures() async throws {
        let document = try await ReportFixtures.document(ReportFixtures.spec(.usage))
        let conversations = try ReportRendererTests.expected("Total Conversations Report")
        let messages = try ReportRendererTests.expected("Total Messages Report")
        func number(_ text: some StringProtocol) -> Double? { Double(text.replacingOccurrences(of: ",", with: "")) }

        // With charts the figures are cards: the label, then the value on the next line in drawing order.
        let raw = try PopplerReader.text(try Self.renderer.render(document, includeCharts: true), mode: "-raw", first: 1, last: 1)
            .split(separator: "\n").map(String.init)
        func card(_ label: String) -> Double? {
            raw.firstIndex(of: label).flatMap { raw.index(after: $0) < raw.count ? number(raw[raw.index(after: $0)]) : nil }
        }
        #expect(card("Conversations") == conversations.value)
        #expect(card("Messages") == messages.value)

        // Without charts they are rows of a table: label, value, change.
        let layout = try PopplerReader.text(try Self.renderer.render(document, includeCharts: false))
        let rows = layout.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true).map(String.init) }
        func row(_ label: String) -> [String]? {
            let words = label.split(separator: " ").map(String.init)
            return rows.first { Array($0.prefix(words.count)) == words && $0.count == words.count + 2 }.map { Array($0.dropFirst(words.count)) }
        }
        #expect(row("Conversations").flatMap { number($0[0]) } == conversations.value)
        #expect(row("Conversations").flatMap { number($0[1]) } == conversations.change)
        #expect(row("Messages").flatMap { number($0[0]) } == messages.value)
        #expect(row("Messages").flatMap { number($0[1]) } == messages.change)

        // The summary's daily series as a table of date × line: Date, Conversations, Messages, Tokens.
        let summary = try await ReportFixtures.document(ReportFixtures.spec(.custom, sections: [.usageSummary]))
        let daily = try PopplerReader.text(try Self.renderer.render(summary, includeCharts: false))
        var found: [String: Double] = [:]
        for line in daily.split(separator: "\n") {
            let words = line.split(separator: " ", omittingEmptySubsequences: true)
            if words.count == 4, Day(iso: String(words[0])) != nil { found[String(words[0])] = number(words[2]) }
        }
        let breakdown = messages.breakdown
        #expect(found.count == breakdown.count && !breakdown.isEmpty)
        for entry in breakdown { #expect(found[entry.date] == entry.total, "\(entry.date)") }
    }

    @Test("hostile titles, bot ids, channels and reasons read back literally, never as markup")
    func hostileStrings() async throws {
        let spec = ReportFixtures.spec(.custom, sections: SectionName.allCases,
                                       title: "<script>alert(1)</script> & =HYPERLINK(\"x\") <b>bold</b>")
        let document = try await ReportFixtures.document(spec)
        for charts in [true, false] {
            let pdf = try Self.renderer.render(document, includeCharts: charts)
            #expect(try PopplerReader.info(pdf)["Title"] == spec.title)
            let text = try PopplerReader.text(pdf)
            #expect(text.contains("<script>alert(1)</script> & =HYPERLINK(\"x\") <b>bold</b>"), "the title as text")
            for hostile in ReportFixtures.hostile {
                // Line ends and tabs become breaks and spaces on the page; the rest reads back as written.
                let parts = hostile.split(whereSeparator: { $0 == "\t" || $0 == "\r" || $0 == "\n" || $0 == "\r\n" })
                for part in parts { #expect(text.contains(String(part)), "\(hostile.debugDescription) charts \(charts)") }
            }
            #expect(text.contains("=HYPERLINK(\"x\")"))
            #expect(!text.contains("&amp;") && !text.contains("&lt;"), "not escaped as HTML either")
        }
    }

    @Test("a table longer than a page spans pages with its header on each, and every page says Page n of N")
    func longTableSpansPages() throws {
        let document = Self.longTable(rows: 150)
        let pdf = try Self.renderer.render(document, includeCharts: true)
        let pages = try PopplerReader.pages(pdf)
        #expect(pages.count >= 3, "150 rows do not fit on two pages")
        var seen: [String] = []
        for (index, page) in pages.enumerated() {
            #expect(page.contains("Page \(index + 1) of \(pages.count)"))
            let header = page.split(separator: "\n").filter { line in line.contains("Row key") && line.contains("Row value") }
            #expect(header.count == 1, "page \(index + 1) repeats the header")
            if index > 0 { #expect(page.contains("Numbered rows (continued)")) }
            for line in page.split(separator: "\n") {
                let words = line.split(separator: " ", omittingEmptySubsequences: true)
                if words.count == 2, words[0].hasPrefix("row-") {
                    seen.append(String(words[0]))
                    #expect(Int(words[1].replacingOccurrences(of: ",", with: "")) == 7 * Int(words[0].dropFirst(4))!)
                }
            }
        }
        #expect(seen == (1...150).map { "row-\(String(1000 + $0).dropFirst())" }, "every row once, in order")
    }

    @Test("a multi-page report numbers its pages Page n of N")
    func pageNumbers() async throws {
        let document = try await ReportFixtures.document(ReportFixtures.everything)
        let pdf = try Self.renderer.render(document, includeCharts: true)
        let pages = try PopplerReader.pages(pdf)
        #expect(pages.count > 1)
        for (index, page) in pages.enumerated() { #expect(page.contains("Page \(index + 1) of \(pages.count)")) }
    }

    @Test("include_charts false gives tables only; true adds line charts, bars and the heat map")
    func chartsOrTables() async throws {
        let document = try await ReportFixtures.document(ReportFixtures.spec(.usage))
        let charts = try PopplerReader.text(try Self.renderer.render(document, includeCharts: true))
        let tables = try PopplerReader.text(try Self.renderer.render(document, includeCharts: false))
        // Chart-only text: bar titles, the heat map's scale, the line charts' date axis.
        for mark in ["Messages by bot (", "Messages by channel (", "messages in the busiest hour", "Mar 15", "vs previous period"] {
            #expect(charts.contains(mark), "\(mark) with charts")
            #expect(!tables.contains(mark), "\(mark) only with charts")
        }
        // Table-only text: KPIs, series and the heat map as tables.
        for mark in ["Key figures, with their change against the previous period", "Date", "2026-03-15", "Day"] {
            #expect(tables.contains(mark), "\(mark) without charts")
        }
        // The breakdown tables are in both.
        for mark in ["Key figures per bot", "Key figures per channel"] {
            #expect(charts.contains(mark) && tables.contains(mark))
        }
    }

    @Test("the same document renders to the same bytes, a second later and in concurrent renders")
    func deterministic() async throws {
        let document = try await ReportFixtures.document(ReportFixtures.everything)
        for charts in [true, false] {
            let first = SHA256.hex(try Self.renderer.render(document, includeCharts: charts))
            try await Task.sleep(for: .milliseconds(1_100))
            let second = SHA256.hex(try Self.renderer.render(document, includeCharts: charts))
            #expect(first == second, "charts \(charts)")
            let concurrent = try await withThrowingTaskGroup(of: String.self) { group in
                for _ in 0..<4 { group.addTask { SHA256.hex(try Self.renderer.render(document, includeCharts: charts)) } }
                return try await group.reduce(into: Set<String>()) { $0.insert($1) }
            }
            #expect(concurrent == [first], "four renders at once give the same bytes")
        }
    }

    @Test("a 90-day usage report renders, and its first page is written for a look")
    func ninetyDays() async throws {
        let document = try await ReportFixtures.document(ReportFixtures.spec(.usage, days: 90, title: "Usage report: March 2026"))
        let clock = ContinuousClock()
        var pdf: [UInt8] = []
        let elapsed = try clock.measure { pdf = try Self.renderer.render(document, includeCharts: true) }
        let info = try PopplerReader.info(pdf)
        #expect(Int(info["Pages"] ?? "").map { $0 >= 2 } == true)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("tally-usage-report-90-days.pdf")
        try Data(pdf).write(to: file)
        print("PDF 90 days, \(document.sections.count) sections: \(info["Pages"] ?? "?") pages, \(pdf.count) bytes in \(elapsed), written to \(file.path)")
        let tables = try Self.renderer.render(document, includeCharts: false)
        let tablesFile = FileManager.default.temporaryDirectory.appendingPathComponent("tally-usage-report-90-days-tables.pdf")
        try Data(tables).write(to: tablesFile)
        print("PDF 90 days, tables only: \(try PopplerReader.info(tables)["Pages"] ?? "?") pages, written to \(tablesFile.path)")
    }
}

/// Documents at the edges of what the builder makes: one day, empty tables, flat series, a silent
/// heat map, figures without a change, a very long cell, a sliced report.
@Suite("PDF report renderer at the edges")
struct ReportPDFEdgeTests {
    @Test("a one-day, empty and oversized document renders with charts and without, and reads back")
    func edges() throws {
        let title = ReportDocument.TitleBlock(
            title: "Edges", type: .performance, tenant: "tenant-edge", slice: .init(dimension: "bot_id", value: "bot-<i>edge</i>"),
            periodStart: Day(iso: "2026-03-15")!, periodEnd: Day(iso: "2026-03-15")!, timeZone: "Europe/Berlin",
            generatedAt: "2026-03-16T00:00:00.000Z", dataAsOf: .init(committedAt: nil, offsets: []))
        let long = String(repeating: "reason-without-spaces-", count: 60)
        let document = ReportDocument(title: title, sections: [
            .init(name: .usageSummary, blocks: [
                .kpis(KPIGroup(items: [.init(name: "alerts", label: "Alerts", unit: .count, value: .count(0), change: nil),
                                       .init(name: "rate", label: "Rate", unit: .percent, value: .hundredths(4_550), change: .hundredths(-125)),
                                       .init(name: "time", label: "Response time", unit: .seconds, value: .hundredths(320), change: .hundredths(0))])),
                .series(Series(name: "daily", title: "One day", unit: .count, dates: ["2026-03-15"],
                               lines: [.init(name: "messages", label: "Messages", values: [.count(0)])])),
                .series(Series(name: "empty", title: "No days", unit: .percent, dates: [], lines: [])),
            ]),
            .init(name: .botBreakdown, blocks: [
                .table(Table(name: "bots", title: "Key figures per bot", columns: [.text("bot_id", "Bot"), .number("messages", "Messages")], rows: [])),
            ]),
            .init(name: .satisfactionScores, blocks: [
                .table(Table(name: "negative_feedback", title: "Latest negative feedback", columns: [.text("reason", "Reason"), .number("value", "Rating")],
                             rows: [[.text(long), .number(.count(-1))], [.empty, .number(.count(-1))]])),
            ]),
            .init(name: .hourlyHeatmap, blocks: [
                .heatmap(Heatmap(name: "messages", title: "Quiet week", values: Array(repeating: Array(repeating: 0, count: 24), count: 7))),
            ]),
        ])
        for charts in [true, false] {
            let pdf = try PDFReportRenderer().render(document, includeCharts: charts)
            let info = try PopplerReader.info(pdf)
            #expect(info["Title"] == "Edges")
            let text = try PopplerReader.text(pdf)
            #expect(text.contains("bot-<i>edge</i>"), "the slice, as text")
            #expect(text.contains("no batch committed yet"))
            #expect(text.contains("No rows in this period."))
            #expect(text.contains("45.50%") && text.contains("-1.25%") && text.contains("3.20 s"))
            let joined = text.filter { !$0.isWhitespace }
            #expect(joined.contains(String(repeating: "reason-without-spaces-", count: 10)), "a long cell wraps without losing characters")
        }
    }
}
