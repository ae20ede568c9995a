import Foundation
import Testing
import TallyDomain
import TallyStore
import TallyTestSupport

/// Alerts, Comprehensive Overview and Analytics and Platform Overview from the store's rollups
/// equal the oracle's naive computation over raw events, however late and out of order they arrive.
@Suite("Store tenant-wide reports match the oracle")
struct StoreTenantReportTests {
    @Test("every tenant-wide report for several tenants, periods and end dates, over shuffled events")
    func shuffledEventsMatchTheOracle() throws {
        let events = StoreSliceTests.traffic(seed: 53, tenants: 3, days: 60, total: 6_000)
        var random = SeededRandom(seed: 9)
        let store = try TallyStore()
        try StoreReportTests.apply(events.shuffled(using: &random), to: store, seed: 11)
        let oracle = TenantReportOracle(events: events)
        var compared = 0
        var severities: Set<String> = []
        var listed = 0
        for tenant in ["tenant-1", "tenant-2", "nobody"] {
            for periodDays in [1, 2, 7, 30] {
                for end in [StoreSliceTests.end, StoreSliceTests.end.advanced(by: -20), StoreSliceTests.end.advanced(by: -45)] {
                    for report in TenantReport.allCases {
                        let topBots = periodDays == 7 ? 2 : 5
                        let window = ReportWindow(periodDays: periodDays, end: end)
                        let document = try store.tenantReport(report, tenant: tenant, window: window, topBotsLimit: topBots)
                        let json = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(document)) as? [String: Any])
                        let expected = try #require(oracle.expected(reportId: report.id, tenant: tenant, periodDays: periodDays, end: end, topBotsLimit: topBots))
                        #expect(BotReportOracle.canonical(json) == BotReportOracle.canonical(expected), "\(report.name) \(tenant) \(periodDays)d to \(end.iso)")
                        compared += 1
                        switch document {
                        case .alerts(let alerts): severities.formUnion(alerts.alerts.map(\.severity.rawValue))
                        case .overview(let overview): listed += overview.data.filter { !$0.details.list.isEmpty }.count
                        case .platformOverview(let platform): listed += platform.topBots.isEmpty ? 0 : 1
                        }
                    }
                }
            }
        }
        #expect(compared == 3 * 4 * 3 * TenantReport.allCases.count)
        #expect(listed > 100, "most windows list top bots")
        #expect(severities == ["info", "warning", "critical"], "the windows raise alerts of every severity: \(severities)")
    }
}
