import Foundation
import Testing
import TallyDomain
@testable import TallyStore
import TallyTestSupport

/// Tenants in New York (DST) and Kathmandu (+05:45) beside one in UTC: every report, sliced and
/// grouped, over windows that hold both of New York's 2026 DST changes, must equal the oracle's
/// naive count in local days and hours (Foundation's calendar), with events applied shuffled so
/// that late ones abound, and with re-sent copies so that the store folds batches again itself.
@Suite("Store reports in tenants' time zones match the oracle")
struct StoreTimeZoneTests {
    /// 2026-03-08 (spring forward) and 2026-11-01 (fall back) in New York lie in the history.
    static let end = Day(year: 2026, month: 11, day: 10)!
    static let zones = ["tenant-1": "America/New_York", "tenant-2": "Asia/Kathmandu"]
    static let ends = [Day(iso: "2026-03-08")!, Day(iso: "2026-03-10")!, Day(iso: "2026-11-01")!, Day(iso: "2026-11-03")!, end]

    static var oracleZones: [String: TimeZone] { zones.mapValues { TimeZone(identifier: $0)! } }

    /// 260 days to `end`; some events without a bot id or a channel, as in the slice tests.
    static func traffic() -> [Event] {
        var random = SeededRandom(seed: 78)
        return TrafficGenerator(seed: 77, tenants: 3, days: 260, endDay: end, total: 9_000).map { event in
            var event = event
            if random.chance(0.1) { event.botId = nil }
            if random.chance(0.15) { event.channel = nil }
            return event
        } + edgeMessages()
    }

    /// Messages of tenant-1 on both sides of New York's transitions, in a conversation of their
    /// own: 01:30 EST and 03:30 EDT on 2026-03-08, and 01:30 EDT and 01:30 EST (the hour that
    /// repeats) on 2026-11-01, plus one at 00:10 local time of 2026-11-02 (05:10 UTC).
    static func edgeMessages() -> [Event] {
        ["2026-03-08T06:30:00Z", "2026-03-08T07:30:00Z", "2026-11-01T05:30:00Z", "2026-11-01T06:30:00Z", "2026-11-02T05:10:00Z"]
            .enumerated().map { index, instant in
                Event(id: "edge-\(index)", kind: .messageCreated(.user), userId: "tenant-1", occurredAtMillis: RFC3339.epochMilliseconds(instant)!,
                      conversationId: "edge-conv-\(index)", contactId: "edge-contact", botId: "bot-1", channel: "web")
            }
    }

    static func zonedStore() throws -> TallyStore {
        let store = try TallyStore()
        for (tenant, zone) in zones { try store.setTenantZone(tenant, .init(identifier: zone)) }
        return store
    }

    @Test("every report of every tenant over both DST changes equals the oracle, events shuffled")
    func everyReportMatches() throws {
        let events = Self.traffic()
        var random = SeededRandom(seed: 3)
        let store = try Self.zonedStore()
        try StoreReportTests.apply(events.shuffled(using: &random), to: store, seed: 9)
        let oracle = ReportOracle(events: events, timeZones: Self.oracleZones)
        var found: [String] = []
        for tenant in ["tenant-1", "tenant-2", "tenant-3"] {
            for end in Self.ends {
                for periodDays in [1, 7, 30] {
                    for report in ReportCatalog.all {
                        let actual = ReportOracle.Expected(try store.report(report, tenant: tenant, window: ReportWindow(periodDays: periodDays, end: end)))
                        let expected = try #require(oracle.expected(reportId: report.id, tenant: tenant, periodDays: periodDays, end: end))
                        if !actual.agrees(with: expected) { found.append("\(report.name) \(tenant) \(periodDays)d to \(end): \(actual) vs \(expected)") }
                    }
                }
            }
        }
        #expect(found.isEmpty, "\(found.count) mismatches, first: \(found.prefix(3).joined(separator: "\n"))")
    }

    @Test("the DST days of New York count their 23 and 25 hours' events, and differ from UTC days")
    func dstDaysCountTheirEvents() throws {
        let events = Self.traffic()
        let store = try Self.zonedStore()
        try StoreReportTests.apply(events, to: store, seed: 4)
        let oracle = ReportOracle(events: events, timeZones: Self.oracleZones)
        let utcOracle = ReportOracle(events: events)
        let messages = try #require(ReportCatalog.all.first { $0.name == "Total Messages Report" })
        for day in ["2026-03-08", "2026-11-01"].map({ Day(iso: $0)! }) {
            let actual = try store.report(messages, tenant: "tenant-1", window: ReportWindow(periodDays: 1, end: day))
            let expected = try #require(oracle.expected(reportId: messages.id, tenant: "tenant-1", periodDays: 1, end: day))
            #expect(ReportOracle.Expected(actual) == expected)
            #expect(expected.value > 0)
        }
        // The zone matters: over a week, some local days hold other counts than the UTC ones.
        let week = try store.report(messages, tenant: "tenant-2", window: ReportWindow(periodDays: 7, end: Self.end))
        let utc = try #require(utcOracle.expected(reportId: messages.id, tenant: "tenant-2", periodDays: 7, end: Self.end))
        #expect(ReportOracle.Expected(week).breakdown != utc.breakdown)
    }

    @Test("slices and groups in local days equal the oracle, events shuffled")
    func slicesMatch() throws {
        let events = Self.traffic()
        var random = SeededRandom(seed: 5)
        let store = try Self.zonedStore()
        try StoreReportTests.apply(events.shuffled(using: &random), to: store, seed: 2)
        let oracle = ReportOracle(events: events, timeZones: Self.oracleZones)
        let found = try oracle.sliceMismatches(tenants: ["tenant-1", "tenant-2"], ends: [Day(iso: "2026-03-10")!, Day(iso: "2026-11-03")!], periods: [7]) {
            try store.report($0, tenant: $1, window: $2, groupBy: $3)
        }
        #expect(found.isEmpty, "\(found.count) mismatches, first: \(found.prefix(3).joined(separator: "\n"))")
    }

    @Test("re-sent copies and batches folded in UTC are folded again in the tenant's zone")
    func refoldsWithTheStoresClocks() throws {
        let events = Array(Self.traffic().prefix(5_000))
        let store = try Self.zonedStore()
        var random = SeededRandom(seed: 8)
        var offset: Int64 = 0
        var index = 0
        while index < events.count {
            let slice = Array(events[index..<min(events.count, index + random.int(in: 50...400))])
            index += slice.count
            offset += 1
            // Some copies again (dedupe drops them, and the store folds the rest itself); the
            // producer's fold is in UTC, which the store must not take for the zoned tenants.
            let copies = slice.filter { _ in random.chance(0.05) }
            let batch = slice + copies
            try store.apply(IngestBatch(events: batch, delta: RollupDelta(folding: batch),
                                        offsets: [PartitionOffset(topic: "t", partition: 0, nextOffset: offset)]), dedupeDays: 7)
        }
        let oracle = ReportOracle(events: events, timeZones: Self.oracleZones)
        for report in ReportCatalog.all {
            for tenant in ["tenant-1", "tenant-2"] {
                let actual = ReportOracle.Expected(try store.report(report, tenant: tenant, window: ReportWindow(periodDays: 30, end: Day(iso: "2026-03-20")!)))
                let expected = try #require(oracle.expected(reportId: report.id, tenant: tenant, periodDays: 30, end: Day(iso: "2026-03-20")!))
                #expect(actual.agrees(with: expected), "\(report.name) \(tenant)")
            }
        }
    }

    @Test("a tenant's zone moves with a tenant transplant, and the other tenants keep theirs")
    func zoneMovesWithTransplant() throws {
        let events = Array(Self.traffic().prefix(4_000))
        let live = try Self.zonedStore()
        try StoreReportTests.apply(events, to: live, seed: 1)
        // A replay of tenant-3 alone into Kathmandu, as a re-bucketing rebuild makes it.
        let replay = try TallyStore()
        try replay.adoptTenantZones(from: live)
        try replay.setTenantZone("tenant-3", .init(identifier: "Asia/Kathmandu"))
        try StoreReportTests.apply(events.filter { $0.userId == "tenant-3" }, to: replay, seed: 1)
        try live.transplant(RebuildScope(tenant: "tenant-3"), from: replay)
        #expect(try live.tenantZones().mapValues(\.identifier) == ["tenant-1": "America/New_York", "tenant-2": "Asia/Kathmandu", "tenant-3": "Asia/Kathmandu"])
        var zones = Self.oracleZones
        zones["tenant-3"] = TimeZone(identifier: "Asia/Kathmandu")!
        let oracle = ReportOracle(events: events, timeZones: zones)
        for report in ReportCatalog.all {
            for tenant in ["tenant-1", "tenant-3"] {
                let actual = ReportOracle.Expected(try live.report(report, tenant: tenant, window: ReportWindow(periodDays: 30, end: Day(iso: "2026-03-20")!)))
                let expected = try #require(oracle.expected(reportId: report.id, tenant: tenant, periodDays: 30, end: Day(iso: "2026-03-20")!))
                #expect(actual.agrees(with: expected), "\(report.name) \(tenant)")
            }
        }
    }

    @Test("a zone is recorded at once only for a tenant the store holds nothing of")
    func setIfEmpty() throws {
        let store = try TallyStore()
        try store.apply(IngestBatch(events: [Event(id: "a", kind: .conversationCreated, userId: "busy", occurredAtMillis: 1_767_225_600_000, conversationId: "c")]))
        #expect(try store.setTenantZoneIfEmpty("busy", .init(identifier: "Europe/Berlin")) == false)
        #expect(try store.setTenantZoneIfEmpty("quiet", .init(identifier: "Europe/Berlin")) == true)
        #expect(try store.tenantZones().mapValues(\.identifier) == ["quiet": "Europe/Berlin"])
        #expect(store.clock(forTenant: "quiet").identifier == "Europe/Berlin")
    }
}
