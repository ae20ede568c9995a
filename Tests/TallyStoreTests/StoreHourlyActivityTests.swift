import Foundation
import Testing
import TallyDomain
import TallyStore
import TallyTestSupport

/// Hourly Activity from the store's rollups equals the oracle's naive count of raw events, however
/// late and out of order the events arrive and however often they are sent again.
@Suite("Store Hourly Activity matches the oracle")
struct StoreHourlyActivityTests {
    static let hourly = ReportCatalog.report(id: "tly7r2q9w000608jqf8hrac0w")!
    static let totalMessages = ReportCatalog.report(id: "clr3m5n8k000608jq3k0l1m7g")!
    static let end = Day(year: 2026, month: 1, day: 20)!

    /// Applies `events` in batches of random sizes.
    static func apply(_ events: [Event], to store: TallyStore, seed: UInt64, dedupeDays: Int = 0) throws {
        var random = SeededRandom(seed: seed)
        var index = 0
        while index < events.count {
            let slice = events[index..<min(events.count, index + random.int(in: 1...900))]
            index += slice.count
            try store.apply(IngestBatch(events: Array(slice), offsets: [PartitionOffset(topic: "t", partition: 0, nextOffset: Int64(index))]),
                            dedupeDays: dedupeDays)
        }
    }

    static func compare(_ store: TallyStore, _ oracle: ReportOracle, tenants: [String], ends: [Day]) throws -> Int {
        var compared = 0
        for tenant in tenants {
            for periodDays in [1, 7, 30, 45] {
                for end in ends {
                    let window = ReportWindow(periodDays: periodDays, end: end)
                    let actual = try store.report(Self.hourly, tenant: tenant, window: window)
                    let expected = try #require(oracle.expected(reportId: Self.hourly.id, tenant: tenant, periodDays: periodDays, end: end))
                    #expect(ReportOracle.Expected(actual) == expected, "\(tenant) \(periodDays)d to \(end)")
                    let heatmap = try #require(actual.heatmap)
                    #expect(heatmap.count == 7 && heatmap.allSatisfy { $0.count == 24 })
                    #expect(.count(heatmap.joined().reduce(0, +)) == actual.value, "the heatmap holds every message of the period")
                    let messages = try store.report(Self.totalMessages, tenant: tenant, window: window)
                    #expect(messages.heatmap == nil)
                    #expect((messages.value, messages.change, messages.breakdown) == (actual.value, actual.change, actual.breakdown))
                    compared += 1
                }
            }
        }
        return compared
    }

    @Test("shuffled events, several tenants, periods and end dates, across a year boundary")
    func shuffledEventsMatchTheOracle() throws {
        let events = Array(TrafficGenerator(seed: 23, tenants: 5, days: 60, endDay: Self.end, total: 15_000))
        var random = SeededRandom(seed: 9)
        let shuffled = events.shuffled(using: &random)
        let store = try TallyStore()
        try Self.apply(shuffled, to: store, seed: 4)
        let ends = [Self.end, Day(year: 2026, month: 1, day: 3)!, Day(year: 2025, month: 12, day: 31)!, Self.end.advanced(by: -11)]
        let compared = try Self.compare(store, ReportOracle(events: events), tenants: ["tenant-1", "tenant-2", "tenant-5", "nobody"], ends: ends)
        #expect(compared == 4 * 4 * ends.count)
        let heatmap = try #require(try store.report(Self.hourly, tenant: "tenant-1", window: ReportWindow(periodDays: 30, end: Self.end)).heatmap)
        #expect(heatmap.filter { $0.contains { $0 > 0 } }.count == 7, "traffic on every weekday")
    }

    @Test("copies sent again are counted once, in the same and in later batches, with dedupe on disk")
    func resentCopiesCountOnce() throws {
        let events = Array(TrafficGenerator(seed: 31, tenants: 3, days: 40, endDay: Self.end, total: 6_000))
        var random = SeededRandom(seed: 2)
        let copies = (0..<1_500).map { _ in events[random.int(in: 0...(events.count - 1))] }
        let sent = (events + copies).shuffled(using: &random)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tally-hourly-\(UUID().uuidString)").path
        let store = try TallyStore(dataDirectory: directory)
        try Self.apply(sent, to: store, seed: 8, dedupeDays: 30)
        _ = try Self.compare(store, ReportOracle(events: events), tenants: ["tenant-1", "tenant-3"], ends: [Self.end, Day(year: 2026, month: 1, day: 1)!])
    }

    @Test("a rebuilt store's checksums see a changed hourly count")
    func checksumsCoverHourlyCounts() throws {
        let events = Array(TrafficGenerator(seed: 5, tenants: 2, days: 10, endDay: Self.end, total: 1_000))
        let first = try TallyStore()
        let second = try TallyStore()
        try Self.apply(events, to: first, seed: 1)
        try Self.apply(Array(events.reversed()), to: second, seed: 2)
        #expect(try first.rollupChecksums() == second.rollupChecksums())
        // One message moved to another hour of its day leaves every daily counter as it was.
        guard let index = events.firstIndex(where: { if case .messageCreated = $0.kind { $0.hourOfDay < 23 } else { false } }) else {
            Issue.record("no message to move")
            return
        }
        var moved = events
        moved[index].occurredAtMillis += 3_600_000
        let third = try TallyStore()
        try Self.apply(moved, to: third, seed: 1)
        let day = RollupDelta.TenantDay(tenant: events[index].userId, day: events[index].day)
        let a = try first.rollupChecksums()
        let c = try third.rollupChecksums()
        #expect(a[day] != c[day])
        // The tenant's day, and the same day of the bot's and the channel's slices, and nothing else.
        func touched(_ key: RollupDelta.TenantDay) -> Bool { key.day == day.day && RollupScope.owner(ofKey: key.tenant) == day.tenant }
        #expect(a.filter { !touched($0.key) } == c.filter { !touched($0.key) })
    }

    /// Store-level timing of a 365-day Hourly Activity report over 1 M events of one tenant
    /// (`TALLY_MEASURE_HOURLY=1 swift test --filter StoreHourlyActivityTests`); prints the figures.
    /// It asserts nothing: timings depend on the build and the machine's load, and the target
    /// (well under 20 ms p99) is for release builds. Total Messages is printed alongside because
    /// Hourly Activity reads its daily counters too, so the difference is the hourly read.
    @Test("365-day fetch over 1 M events", .enabled(if: ProcessInfo.processInfo.environment["TALLY_MEASURE_HOURLY"] == "1"))
    func measureFetch() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tally-hourly-bench-\(UUID().uuidString)").path
        let store = try TallyStore(dataDirectory: directory)
        let events = Array(TrafficGenerator(seed: 77, tenants: 1, days: 730, endDay: Self.end, total: 1_000_000))
        let started = Date()
        var index = 0
        while index < events.count {
            let slice = Array(events[index..<min(events.count, index + 5_000)])
            index += slice.count
            try store.apply(IngestBatch(events: slice, offsets: [PartitionOffset(topic: "t", partition: 0, nextOffset: Int64(index))]))
        }
        let ingestSeconds = Date().timeIntervalSince(started)
        let window = ReportWindow(periodDays: 365, end: Self.end)
        func timings(_ report: ReportDefinition) throws -> [Double] {
            for _ in 0..<20 { _ = try store.report(report, tenant: "tenant-1", window: window) }
            return try (0..<500).map { _ in
                let start = DispatchTime.now().uptimeNanoseconds
                _ = try store.report(report, tenant: "tenant-1", window: window)
                return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
            }.sorted()
        }
        let hourly = try timings(Self.hourly)
        let messages = try timings(Self.totalMessages)
        print("hourly-activity-measure: ingest \(events.count) events in 5000-event batches \(ingestSeconds) s;"
              + " 365-day Hourly Activity p50 \(hourly[250]) ms p99 \(hourly[495]) ms;"
              + " Total Messages p50 \(messages[250]) ms p99 \(messages[495]) ms")
    }
}
