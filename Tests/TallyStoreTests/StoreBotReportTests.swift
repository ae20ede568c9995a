import Foundation
import Testing
import TallyDomain
import TallyStore
import TallyTestSupport

/// The per-bot reports from the bots' slices equal the oracle's naive count of raw
/// events, however late and out of order the events arrive.
@Suite("Store per-bot reports match the oracle")
struct StoreBotReportTests {
    @Test("every per-bot report for every bot, several tenants, periods and end dates, over shuffled events")
    func shuffledEventsMatchTheOracle() throws {
        let events = BotReportOracle.withReasons(StoreSliceTests.traffic(seed: 47, tenants: 3, days: 60, total: 6_000))
        var random = SeededRandom(seed: 3)
        let store = try TallyStore()
        try StoreReportTests.apply(events.shuffled(using: &random), to: store, seed: 7)
        let oracle = BotReportOracle(events: events)
        var compared = 0
        var listed = 0
        var alerted = 0
        for tenant in ["tenant-1", "tenant-3", "nobody"] {
            for bot in ["bot-1", "bot-2", "bot-3", "bot-never"] {
                for periodDays in [1, 7, 30] {
                    for end in [StoreSliceTests.end, StoreSliceTests.end.advanced(by: -20)] {
                        for report in BotReport.allCases {
                            let limit = periodDays == 30 ? 3 : 10
                            let document = try store.botReport(report, tenant: tenant, botId: bot, window: ReportWindow(periodDays: periodDays, end: end), limit: limit)
                            let json = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(document)) as? [String: Any])
                            let expected = try #require(oracle.expected(reportId: report.id, tenant: tenant, botId: bot, periodDays: periodDays, end: end, limit: limit))
                            #expect(BotReportOracle.canonical(json) == BotReportOracle.canonical(expected), "\(report.name) \(tenant) \(bot) \(periodDays)d to \(end.iso)")
                            compared += 1
                            if case .negativeFeedback(let feedback) = document, !feedback.items.isEmpty { listed += 1 }
                            if case .alerts(let alerts) = document, !alerts.alerts.isEmpty { alerted += 1 }
                        }
                    }
                }
            }
        }
        #expect(compared == 3 * 4 * 3 * 2 * BotReport.allCases.count)
        #expect(listed > 10, "negative ratings were listed in many windows")
        #expect(alerted > 10, "Bot Alerts raised alerts in many windows")
    }
}
