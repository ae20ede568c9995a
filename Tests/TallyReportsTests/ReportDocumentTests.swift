import Foundation
import Testing
import TallyDomain
import TallyReports
import TallyStore
import TallyTestSupport

/// Documents built from the rollups hold the figures that the oracle computes from raw events, and
/// pass the published document schema as judged by Python's jsonschema.
@Suite("Report documents from rollups")
struct ReportDocumentTests {
    nonisolated(unsafe) static let oracle = ReportOracle(events: ReportFixtures.events)

    static func id(_ name: String) throws -> String { try #require(ReportCatalog.all.first { $0.name == name }?.id, "\(name)") }

    static func kpis(_ document: ReportDocument, _ section: SectionName) throws -> [String: KPIGroup.KPI] {
        let found = try #require(document.sections.first { $0.name == section })
        var result: [String: KPIGroup.KPI] = [:]
        for case .kpis(let group) in found.blocks { for item in group.items { result[item.name] = item } }
        return result
    }

    static func blocks(_ document: ReportDocument, _ section: SectionName) throws -> [Block] {
        try #require(document.sections.first { $0.name == section }).blocks
    }

    @Test("every KPI, daily line, table row and the heat map equal the oracle's", arguments: [1, 7, 30, 90])
    func figuresEqualTheOracle(days: Int) async throws {
        let document = try await ReportFixtures.document(ReportFixtures.spec(.custom, sections: SectionName.allCases, days: days))
        let tenant = ReportFixtures.tenant, end = ReportFixtures.end
        func expected(_ name: String) throws -> ReportOracle.Expected {
            try #require(Self.oracle.expected(reportId: try Self.id(name), tenant: tenant, periodDays: days, end: end))
        }
        var compared = 0
        func check(_ section: SectionName, _ kpi: String, _ report: String) throws {
            let item = try #require(try Self.kpis(document, section)[kpi], "\(section.rawValue).\(kpi)")
            let exact = try expected(report)
            #expect(item.value.doubleValue == exact.value, "\(section.rawValue).\(kpi) over \(days) days")
            #expect(item.change?.doubleValue == exact.change, "\(section.rawValue).\(kpi) change over \(days) days")
            compared += 1
        }
        try check(.usageSummary, "conversations", "Total Conversations Report")
        try check(.usageSummary, "messages", "Total Messages Report")
        try check(.usageSummary, "messages_user", "User Messages Report")
        try check(.usageSummary, "messages_bot", "Bot Messages Report")
        try check(.usageSummary, "messages_activity", "Activity Messages Report")
        try check(.usageSummary, "active_contacts", "Active Contacts Report")
        try check(.usageSummary, "new_contacts", "New Contacts Report")
        try check(.usageSummary, "returning_contacts", "Returning Contacts Report")
        try check(.usageSummary, "tokens", "Total Tokens Report")
        try check(.contactsGrowth, "total_contacts", "Total Contacts Report")
        try check(.satisfactionScores, "ratings", "Total Ratings Report")
        try check(.satisfactionScores, "thumbs_up", "Thumbs Up Report")
        try check(.satisfactionScores, "thumbs_down", "Thumbs Down Report")
        try check(.satisfactionScores, "thumbs_up_rate", "Thumbs Up Rate Report")
        try check(.conversationDepth, "conversations_started", "Conversation Depth Report")
        try check(.conversationDepth, "engagement_rate", "Engagement Rate Report")
        try check(.conversationDepth, "abandonment_rate", "Abandonment Rate Report")

        // Daily lines: the message mix per type and total contacts per day.
        for case .series(let series) in try Self.blocks(document, .messageMix) {
            for (line, report) in zip(series.lines, ["User Messages Report", "Bot Messages Report", "Activity Messages Report"]) {
                #expect(series.dates == (try expected(report)).breakdown.map(\.date))
                #expect(line.values.map(\.doubleValue) == (try expected(report)).breakdown.map(\.total), "\(line.name)")
                compared += 1
            }
        }
        for case .series(let series) in try Self.blocks(document, .contactsGrowth) {
            #expect(series.lines[0].values.map(\.doubleValue) == (try expected("Total Contacts Report")).breakdown.map(\.total))
            compared += 1
        }
        // The heat map is Hourly Activity's.
        for case .heatmap(let heatmap) in try Self.blocks(document, .hourlyHeatmap) {
            #expect(heatmap.values.map { $0.map(Int.init) } == (try expected("Hourly Activity Report")).heatmap)
            compared += 1
        }
        // Response times are histogram estimates, within their relative accuracy of the exact figure.
        let times = try Self.kpis(document, .responseTimes)
        let exactFirst = try expected("First Response Time Report")
        let firstP50 = try #require(times["first_response_p50"]).value.doubleValue
        #expect(abs(firstP50 - exactFirst.value) <= 0.02 * exactFirst.value + 0.01, "first response p50 \(firstP50) vs \(exactFirst.value)")
        compared += 1

        // Per-bot and per-channel rows equal the oracle's groups, hostile keys included.
        for (section, dimension) in [(SectionName.botBreakdown, RollupScope.Dimension.botId), (.channelBreakdown, .channel)] {
            for case .table(let table) in try Self.blocks(document, section) {
                let groups = try #require(Self.oracle.expectedGroups(reportId: try Self.id("Total Messages Report"), tenant: tenant, periodDays: days,
                                                                      end: end, groupBy: dimension))
                let messagesColumn = try #require(table.columns.firstIndex { $0.name == "messages" })
                let changeColumn = try #require(table.columns.firstIndex { $0.name == "messages_change" })
                let byKey = Dictionary(uniqueKeysWithValues: table.rows.map { ($0[0].text, $0) })
                #expect(Set(byKey.keys) == Set(groups.map(\.key)), "\(section.rawValue) keys")
                for group in groups {
                    let row = try #require(byKey[group.key])
                    #expect(row[messagesColumn] == .number(.count(Int64(group.value))), "\(section.rawValue) \(group.key)")
                    #expect(row[changeColumn] == .number(.count(Int64(group.change))), "\(section.rawValue) \(group.key) change")
                    compared += 1
                }
            }
        }
        print("report document over \(days) days: \(compared) figures compared with the oracle")
        #expect(compared > 20)
    }

    @Test("every type's default document and the full custom one pass the document schema")
    func documentsPassTheSchema() async throws {
        var specs = ReportType.allCases.filter { $0 != .custom }.map { ReportFixtures.spec($0) }
        specs.append(ReportFixtures.everything)
        specs.append(ReportFixtures.spec(.usage, slice: (.botId, ReportFixtures.hostile[0])))
        for spec in specs {
            let bytes = try JSONReportRenderer().render(try await ReportFixtures.document(spec), includeCharts: true)
            let errors = try PythonReader.schemaErrors(bytes)
            #expect(errors.isEmpty, "\(spec.type.rawValue): \(errors.prefix(5))")
        }
    }

    @Test("the title block says which period, zone and ingest position the figures are of")
    func titleBlock() async throws {
        let document = try await ReportFixtures.document(ReportFixtures.spec(.usage, days: 7))
        #expect(document.title.periodStart == "2026-03-09")
        #expect(document.title.periodEnd == "2026-03-15")
        #expect(document.title.timeZone == "UTC")
        #expect(document.title.generatedAt == "2026-03-15T12:00:00.000Z")
        #expect(document.title.dataAsOf.offsets == [.init(topic: "events", partition: 0, nextOffset: Int64(ReportFixtures.events.count))])
        #expect(document.title.dataAsOf.committedAt != nil)
        #expect(document.sections.map(\.name) == ReportType.usage.defaultSections)
    }

    @Test("types map to their documented sections")
    func typesAndSections() {
        #expect(ReportType.usage.defaultSections.map(\.rawValue) == ["usage_summary", "message_mix", "contacts_growth", "bot_breakdown", "channel_breakdown", "hourly_heatmap"])
        #expect(ReportType.conversations.defaultSections.map(\.rawValue) == ["conversation_depth", "top_conversations", "response_times", "satisfaction_scores"])
        #expect(ReportType.performance.defaultSections.map(\.rawValue) == ["response_times", "bot_breakdown", "alerts", "ingest_health"])
        #expect(ReportType.compliance.defaultSections.map(\.rawValue) == ["audit_trail", "access_review", "data_retention", "ingest_health"])
        #expect(ReportType.custom.defaultSections.isEmpty)
    }
}
