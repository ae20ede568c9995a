import Foundation
import Testing
import TallyDomain
import TallyReports
import TallyTestSupport
import TallyXLSX

/// The XLSX format read back by openpyxl: sheets and frozen headers, numbers as numbers with the
/// oracle's values, days as dates, native charts only with include_charts, hostile strings as
/// exact string cells (never formulas), the title block, and byte-for-byte determinism.
@Suite("XLSX renderer")
struct ReportXLSXTests {
    static func expected(_ name: String, days: Int = 30) throws -> ReportOracle.Expected { try ReportRendererTests.expected(name, days: days) }

    static func workbook(_ document: ReportDocument, charts: Bool = true) throws -> XLSXReadBack {
        try XLSXReadBack.read(try XLSXReportRenderer().render(document, includeCharts: charts))
    }

    /// Seconds since 1970 of `2026-03-15T12:00:00.000Z` (Tally's times) or `2026-03-15T12:00:00[.ffffff]`
    /// (openpyxl's), so that a date cell compares with the time it stands for to the millisecond.
    static func seconds(_ text: String) throws -> Double {
        let trimmed = text.hasSuffix("Z") ? String(text.dropLast()) : text
        let parts = trimmed.split(separator: "T")
        let day = try #require(Day(iso: String(parts[0])), "\(text)")
        let clock = parts[1].split(separator: ":")
        let hours: Double = try #require(Double(clock[0]))
        let minutes: Double = try #require(Double(clock[1]))
        let secondsInMinute: Double = try #require(Double(clock[2]))
        let dayStart = Double(day.number) * 86_400
        return dayStart + hours * 3600 + minutes * 60 + secondsInMinute
    }

    /// The block of `section` whose name is `name`.
    static func block(_ document: ReportDocument, _ section: SectionName, _ name: String) throws -> Block {
        let found = document.sections.first { $0.name == section }?.blocks.first { $0.name == name }
        return try #require(found, "\(section.rawValue).\(name)")
    }

    @Test("a Summary sheet first, then one sheet per section named by its title, each with its title and header rows frozen")
    func sheets() async throws {
        let document = try await ReportFixtures.document(ReportFixtures.everything)
        let book = try Self.workbook(document)
        #expect(book.sheets.map(\.name) == ["Summary"] + document.sections.map(\.title))
        for sheet in book.sheets {
            #expect(sheet.freezePanes == "A3", "\(sheet.name) freezes its first block's title and header rows")
            #expect(sheet.cell(1, 1)?.type == "s" && sheet.cell(2, 1)?.type == "s", "\(sheet.name): a title row, then a header row")
        }
    }

    @Test("sheet names from section titles: at most 31 characters, none of []:*?/\\, no edge apostrophe, unique ignoring case")
    func sheetNames() throws {
        let titles = ["Summary", "a/b\\c:d*e?f[g]h", String(repeating: "x", count: 40), String(repeating: "X", count: 40),
                      "'quoted'", "Usage summary", "usage SUMMARY", "History", "", "=HYPERLINK(\"x\")"]
        let sections = titles.map { ReportDocument.Section(name: .usageSummary, title: $0, blocks: []) }
        let title = ReportDocument.TitleBlock(title: "Names", type: .custom, tenant: "t", slice: nil, periodStart: ReportFixtures.end,
                                              periodEnd: ReportFixtures.end, timeZone: "UTC", generatedAt: "2026-03-15T12:00:00.000Z",
                                              dataAsOf: .init(committedAt: nil, offsets: []))
        let book = try Self.workbook(ReportDocument(title: title, sections: sections))
        let names = book.sheets.map(\.name)
        #expect(names.count == titles.count + 1)
        #expect(names.first == "Summary")
        #expect(Set(names.map { $0.lowercased() }).count == names.count, "unique ignoring case: \(names)")
        for name in names {
            #expect(!name.isEmpty && name.count <= 31, "\(name.debugDescription)")
            #expect(!name.contains { "[]:*?/\\".contains($0) }, "\(name.debugDescription)")
            #expect(!name.hasPrefix("'") && !name.hasSuffix("'"), "\(name.debugDescription)")
            #expect(name.lowercased() != "history", "Excel reserves History")
        }
        #expect(names[1] == "Summary (2)" && names[6] == "Usage summary" && names[7] == "usage SUMMARY (2)", "\(names)")
        #expect(names[2] == "a_b_c_d_e_f_g_h" && names[3] == String(repeating: "x", count: 31), "\(names)")
        print("XLSX sheet names: \(names)")
    }

    @Test("figures are numeric cells with the oracle's values, series days are date cells, the heat map is the oracle's grid")
    func figures() async throws {
        let document = try await ReportFixtures.document(ReportFixtures.everything)
        let book = try Self.workbook(document)
        var compared = 0

        // The Summary's key figures (Section | Metric | Label | Value | Change) and the section's own.
        let summary = try book.sheet("Summary")
        let usage = try book.sheet(SectionName.usageSummary.title)
        func summaryRow(_ section: String, _ metric: String) -> Int? {
            summary.cells.first { $0.column == 2 && $0.text == metric && summary.cell($0.row, 1)?.text == section }?.row
        }
        for (metric, report) in [("conversations", "Total Conversations Report"), ("messages", "Total Messages Report"),
                                 ("tokens", "Total Tokens Report"), ("active_contacts", "Active Contacts Report")] {
            let exact = try Self.expected(report)
            let row = try #require(summaryRow("usage_summary", metric), "\(metric) on Summary")
            #expect(summary.cell(row, 4)?.type == "n" && summary.cell(row, 4)?.number == exact.value, "\(metric)")
            #expect(summary.cell(row, 5)?.type == "n" && summary.cell(row, 5)?.number == exact.change, "\(metric) change")
            let own = try #require(usage.row(labelled: metric), "\(metric) on \(usage.name)")
            #expect(usage.cell(own, 3)?.type == "n" && usage.cell(own, 3)?.number == exact.value, "\(metric) on its sheet")
            #expect(usage.cell(own, 4)?.number == exact.change, "\(metric) change on its sheet")
            compared += 4
        }
        let rate = try Self.expected("Thumbs Up Rate Report")
        let rateRow = try #require(summaryRow("satisfaction_scores", "thumbs_up_rate"))
        #expect(summary.cell(rateRow, 4)?.number == rate.value)
        #expect(summary.cell(rateRow, 4)?.numberFormat == "#,##0.00", "hundredths show two decimals")
        compared += 1

        // The daily series: a Date column of real dates, then one column per line.
        guard case .series(let daily) = try Self.block(document, .usageSummary, "daily") else { Issue.record("daily is not a series"); return }
        let top = try #require(usage.row(labelled: daily.title), "the series' title row")
        #expect(usage.cell(top + 1, 1)?.text == "Date")
        let lineIndex = try #require(daily.lines.firstIndex { $0.name == "messages" })
        #expect(usage.cell(top + 1, 2 + lineIndex)?.text == daily.lines[lineIndex].label)
        for (index, date) in daily.dates.enumerated() {
            let cell = try #require(usage.cell(top + 2 + index, 1), "\(date)")
            #expect(cell.type == "d" && cell.numberFormat == "yyyy-mm-dd", "\(date) is a date cell")
            #expect(cell.date == date + "T00:00:00", "\(date)")
        }
        let rowOfDate = Dictionary(uniqueKeysWithValues: daily.dates.enumerated().map { ($1, top + 2 + $0) })
        let breakdown = try Self.expected("Total Messages Report").breakdown
        #expect(breakdown.count == daily.dates.count)
        for entry in breakdown {
            let row = try #require(rowOfDate[entry.date], "\(entry.date)")
            let cell = usage.cell(row, 2 + lineIndex)
            #expect(cell?.type == "n" && cell?.number == entry.total, "messages on \(entry.date)")
            compared += 1
        }

        // The heat map: Weekday | 00 … 23, seven rows of counts.
        guard case .heatmap(let heatmap) = try Self.block(document, .hourlyHeatmap, "messages") else { Issue.record("no heat map"); return }
        let activity = try book.sheet(SectionName.hourlyHeatmap.title)
        let heatTop = try #require(activity.row(labelled: heatmap.title))
        #expect((1...24).map { activity.cell(heatTop + 1, 1 + $0)?.text } == heatmap.columnLabels)
        let grid = (0..<7).map { day in (1...24).map { hour in activity.cell(heatTop + 2 + day, 1 + hour).flatMap(\.number).map(Int.init) ?? -1 } }
        #expect((0..<7).map { activity.cell(heatTop + 2 + $0, 1)?.text } == Heatmap.weekdays)
        #expect(grid == (try Self.expected("Hourly Activity Report")).heatmap)
        compared += 7 * 24

        // Every figure of every table is a numeric cell at its place, equal to the document's.
        for section in document.sections {
            let sheet = try book.sheet(section.title)
            for case .table(let table) in section.blocks {
                let top = try #require(sheet.row(labelled: table.title), "\(table.title)")
                for (index, row) in table.rows.enumerated() {
                    for (column, cell) in row.enumerated() {
                        guard case .number(let number) = cell else { continue }
                        let read = sheet.cell(top + 2 + index, 1 + column)
                        #expect(read?.type == "n" && read?.number == number.doubleValue, "\(section.title) \(table.name) row \(index) column \(column)")
                        compared += 1
                    }
                }
            }
        }
        print("XLSX: \(book.sheets.count) sheets, \(compared) figures compared with the oracle")
    }

    @Test("include_charts gives a native line chart per series and a bar chart of the bot and channel breakdowns; false gives none")
    func charts() async throws {
        let document = try await ReportFixtures.document(ReportFixtures.everything)
        let withCharts = try Self.workbook(document, charts: true)
        var total = 0
        for section in document.sections {
            var expected: [String] = []
            for block in section.blocks {
                if case .series(let series) = block, !series.dates.isEmpty { expected.append("LineChart") }
                if case .table(let table) = block, [.botBreakdown, .channelBreakdown].contains(section.name), !table.rows.isEmpty {
                    expected.append("BarChart")
                }
            }
            let sheet = try withCharts.sheet(section.title)
            #expect(sheet.charts.sorted() == expected.sorted(), "\(section.title)")
            total += sheet.charts.count
        }
        #expect(try withCharts.sheet("Bots").charts == ["BarChart"])
        #expect(try withCharts.sheet("Channels").charts == ["BarChart"])
        #expect(try withCharts.sheet(SectionName.usageSummary.title).charts == ["LineChart"])
        #expect(total >= 8)
        let without = try Self.workbook(document, charts: false)
        #expect(without.sheets.allSatisfy { $0.charts.isEmpty }, "no charts without include_charts")
        #expect(without.sheets.map(\.name) == withCharts.sheets.map(\.name))
        print("XLSX: \(total) charts with include_charts, none without")
    }

    @Test("hostile strings read back exactly as string cells, and no cell of any sheet is a formula")
    func hostileStrings() async throws {
        let spec = ReportFixtures.spec(.custom, sections: SectionName.allCases, title: "=HYPERLINK(\"x\") <script>alert(1)</script>")
        let document = try await ReportFixtures.document(spec)
        let book = try Self.workbook(document)
        #expect(book.partsWithFormulas.isEmpty, "formula elements in \(book.partsWithFormulas)")
        #expect(!book.sheets.contains { $0.cells.contains { $0.type == "f" } })

        // Every text cell of the document's tables, exactly, as a string cell of its section's sheet.
        var untrusted: Set<String> = []
        for section in document.sections {
            let sheet = try book.sheet(section.title)
            let strings = Set(sheet.strings.compactMap(\.text))
            for case .table(let table) in section.blocks {
                for row in table.rows {
                    for (column, cell) in zip(table.columns, row) where !column.name.hasSuffix("_at") {
                        guard case .text(let text) = cell else { continue }
                        untrusted.insert(text)
                        #expect(strings.contains(text), "\(text.debugDescription) on \(sheet.name)")
                    }
                }
            }
        }
        let present = ReportFixtures.hostile.filter(untrusted.contains)
        for formula in ["=HYPERLINK(\"x\")", "+1", "-1", "@x", "\tTab", "\rCR"] {
            #expect(present.contains(formula), "the fixtures put \(formula.debugDescription) in a table")
        }
        // The bot ids are column A of the Bots sheet: each hostile one a string cell holding it exactly.
        let bots = try book.sheet("Bots")
        for hostile in present {
            let cell = bots.cells.first { $0.column == 1 && $0.text == hostile }
            #expect(cell?.type == "s", "\(hostile.debugDescription) is a string cell of Bots")
        }
        // The title too, on the Summary.
        let summary = try book.sheet("Summary")
        let titleRow = try #require(summary.row(labelled: "Title"))
        #expect(summary.cell(titleRow, 2)?.type == "s" && summary.cell(titleRow, 2)?.text == spec.title)
        print("XLSX: \(untrusted.count) untrusted strings read back exactly; hostile present: \(present.map(\.debugDescription))")
    }

    @Test("text that looks like an escape, holds NUL or starts like a formula reads back as written; negative figures stay numbers")
    func literalText() throws {
        let texts = ["_x0041_", "nul\u{0}byte", "-2", "=1+1", "\r\n", " padded "]
        let table = Table(name: "bots", title: "Key figures per bot", columns: [.text("bot_id", "Bot"), .number("messages", "Messages")],
                          rows: texts.enumerated().map { [.text($1), .number(.count(Int64(-$0)))] } + [[.text("ratio"), .number(.hundredths(-1234))]])
        let title = ReportDocument.TitleBlock(title: "_x000D_", type: .custom, tenant: "t", slice: nil, periodStart: ReportFixtures.end,
                                              periodEnd: ReportFixtures.end, timeZone: "UTC", generatedAt: "2026-03-15T12:00:00.000Z",
                                              dataAsOf: .init(committedAt: nil, offsets: []))
        let document = ReportDocument(title: title, sections: [.init(name: .botBreakdown, blocks: [.table(table)])])
        let book = try Self.workbook(document)
        let bots = try book.sheet("Bots")
        for (index, text) in texts.enumerated() {
            let shown = text.replacingOccurrences(of: "\u{0}", with: "\u{FFFD}")
            #expect(bots.cell(3 + index, 1)?.type == "s" && bots.cell(3 + index, 1)?.text == shown, "\(text.debugDescription)")
            #expect(bots.cell(3 + index, 2)?.type == "n" && bots.cell(3 + index, 2)?.number == Double(-index))
        }
        #expect(bots.cell(3 + texts.count, 2)?.number == -12.34)
        let summary = try book.sheet("Summary")
        #expect(summary.cell(try #require(summary.row(labelled: "Title")), 2)?.text == "_x000D_")
        #expect(summary.cell(try #require(summary.row(labelled: "Data as of (UTC)")), 2)?.text == "no batch committed yet")
        #expect(bots.charts == ["BarChart"])
    }

    @Test("the Summary holds the title block: period days as dates, times as UTC date-times, offsets as numbers")
    func titleBlock() async throws {
        let spec = ReportFixtures.spec(.usage, title: "Usage of @x", slice: (dimension: .botId, value: "@x"))
        let document = try await ReportFixtures.document(spec)
        let t = document.title
        let book = try Self.workbook(document)
        let summary = try book.sheet("Summary")
        #expect(summary.cell(1, 1)?.text == "Report")
        #expect([1, 2, 3].map { summary.cell(2, $0)?.text } == ["Field", "Value", "Detail"])
        func value(_ label: String) throws -> XLSXReadBack.Cell {
            let row = try #require(summary.row(labelled: label), "\(label)")
            return try #require(summary.cell(row, 2), "\(label)")
        }
        func detail(_ label: String) throws -> String? { summary.cell(try #require(summary.row(labelled: label)), 3)?.text }
        #expect(try value("Title").text == t.title)
        #expect(try value("Type").text == "usage")
        #expect(try value("Tenant").text == t.tenant)
        #expect(try value("Slice").text == "@x" && value("Slice").type == "s")
        #expect(try detail("Slice") == "bot_id")
        for (label, day) in [("Period start", t.periodStart), ("Period end", t.periodEnd)] {
            let cell = try value(label)
            #expect(cell.type == "d" && cell.date == day + "T00:00:00" && cell.numberFormat == "yyyy-mm-dd", "\(label)")
        }
        #expect(try value("Time zone").text == t.timeZone)
        let generated = try value("Generated at (UTC)")
        #expect(generated.type == "d")
        #expect(try Self.seconds(try #require(generated.date)) == Self.seconds(t.generatedAt))
        let committedAt = try #require(t.dataAsOf.committedAt)
        let asOf = try value("Data as of (UTC)")
        #expect(asOf.type == "d")
        #expect(abs(try Self.seconds(try #require(asOf.date)) - Self.seconds(committedAt)) < 0.001, "\(asOf.date ?? "") vs \(committedAt)")
        let offsets = summary.cells.filter { $0.column == 1 && $0.text == "Next offset" }.map(\.row)
        #expect(offsets.count == t.dataAsOf.offsets.count && !offsets.isEmpty)
        for (row, offset) in zip(offsets, t.dataAsOf.offsets) {
            #expect(summary.cell(row, 2)?.type == "n" && summary.cell(row, 2)?.number == Double(offset.nextOffset))
            #expect(summary.cell(row, 3)?.text == "\(offset.topic)/\(offset.partition)")
        }
        #expect(t.dataAsOf.offsets.first?.nextOffset == Int64(ReportFixtures.events.count))
        // The document properties carry the document's own time, not the clock's.
        #expect(try Self.seconds(try #require(book.created)) == Self.seconds(t.generatedAt))
    }

    @Test("every report type renders, with and without charts", arguments: ReportType.allCases)
    func everyType(_ type: ReportType) async throws {
        let spec = type == .custom ? ReportFixtures.everything : ReportFixtures.spec(type)
        let document = try await ReportFixtures.document(spec)
        for charts in [true, false] {
            let book = try Self.workbook(document, charts: charts)
            #expect(book.sheets.map(\.name) == ["Summary"] + document.sections.map(\.title), "\(type.rawValue)")
            #expect(book.sheets.allSatisfy { $0.freezePanes == "A3" })
            #expect(book.sheets.contains { !$0.charts.isEmpty } == (charts && document.sections.contains { $0.blocks.contains {
                if case .series = $0 { true } else { false } } }), "\(type.rawValue) charts \(charts)")
        }
    }

    @Test("the same document gives the same bytes when rendered more than a second apart; zip entries carry no clock time")
    func sameBytes() async throws {
        let document = try await ReportFixtures.document(ReportFixtures.everything)
        for charts in [true, false] {
            let first = try XLSXReportRenderer().render(document, includeCharts: charts)
            try await Task.sleep(for: .milliseconds(1_100))
            let second = try XLSXReportRenderer().render(document, includeCharts: charts)
            #expect(SHA256.hex(first) == SHA256.hex(second), "charts \(charts)")
            let book = try XLSXReadBack.read(first)
            #expect(book.zipDates == ["1980-01-01 00:00:00"], "libxlsxwriter's fixed zip entry time")
            print("xlsx (charts \(charts)): sha256 \(SHA256.hex(first)) twice, \(first.count) bytes")
        }
    }

    @Test("a 90-day document renders, its series a row per day")
    func ninetyDays() async throws {
        let document = try await ReportFixtures.document(ReportFixtures.spec(.custom, sections: SectionName.allCases, days: 90))
        let clock = ContinuousClock()
        var bytes: [UInt8] = []
        let elapsed = try clock.measure { bytes = try XLSXReportRenderer().render(document, includeCharts: true) }
        let book = try XLSXReadBack.read(bytes)
        guard case .series(let daily) = try Self.block(document, .usageSummary, "daily") else { Issue.record("no daily series"); return }
        #expect(daily.dates.count == 90)
        let usage = try book.sheet(SectionName.usageSummary.title)
        let top = try #require(usage.row(labelled: daily.title))
        #expect(usage.cell(top + 2 + 89, 1)?.date == daily.dates[89] + "T00:00:00")
        print("XLSX: a 90-day document with charts renders in \(elapsed), \(bytes.count) bytes")
    }
}
