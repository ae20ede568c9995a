import Foundation
import Testing
import TallyDomain
@testable import TallyStore
import TallyTestSupport

/// Per-bot and per-channel slices and groups from the store's rollups equal the oracle's naive
/// computation over the slice's raw events, however late and out of order the events arrive.
@Suite("Store slices and groups match the oracle")
struct StoreSliceTests {
    static let end = Day(year: 2026, month: 4, day: 12)!

    /// Generated traffic in which some events carry no bot id and some no channel: those count in
    /// the tenant's totals and in no slice of that dimension.
    static func traffic(seed: UInt64, tenants: Int, days: Int, total: Int) -> [Event] {
        var random = SeededRandom(seed: seed &+ 1)
        return TrafficGenerator(seed: seed, tenants: tenants, days: days, endDay: end, total: total).map { event in
            var event = event
            if random.chance(0.1) { event.botId = nil }
            if random.chance(0.15) { event.channel = nil }
            return event
        }
    }

    static func mismatches(_ store: TallyStore, _ oracle: ReportOracle, tenants: [String], ends: [Day], periods: [Int]) throws -> [String] {
        try oracle.sliceMismatches(tenants: tenants, ends: ends, periods: periods) { try store.report($0, tenant: $1, window: $2, groupBy: $3) }
    }

    @Test("every report, sliced by bot and by channel and grouped by each, equals the oracle over shuffled events")
    func shuffledEventsMatchTheOracle() throws {
        let events = Self.traffic(seed: 41, tenants: 3, days: 50, total: 6_000)
        var random = SeededRandom(seed: 12)
        let store = try TallyStore()
        try StoreReportTests.apply(events.shuffled(using: &random), to: store, seed: 5)
        let ends = [Self.end, Self.end.advanced(by: -9)]
        let found = try Self.mismatches(store, ReportOracle(events: events), tenants: ["tenant-1", "tenant-3"], ends: ends, periods: [1, 7, 30])
        #expect(found.isEmpty, "\(found.count) mismatches, first: \(found.prefix(5).joined(separator: "\n"))")
    }

    /// A conversation whose events all carry one bot (one channel) is written to that slice from
    /// the tenant's state (`SliceMarks`); one whose events disagree, in one batch or across
    /// batches, is read and merged on its own. Both must answer as the oracle does.
    @Test("conversations whose events disagree on their bot or channel, in and across batches, slice as the oracle does")
    func conversationsMixingSlicesMatchTheOracle() throws {
        var random = SeededRandom(seed: 77)
        let events = Self.traffic(seed: 47, tenants: 2, days: 20, total: 4_000).map { event in
            var event = event
            if random.chance(0.2) { event.botId = random.chance(0.5) ? "bot-x" : nil }
            if random.chance(0.2) { event.channel = random.chance(0.5) ? "sms" : nil }
            return event
        }
        let store = try TallyStore()
        try StoreReportTests.apply(events.shuffled(using: &random), to: store, seed: 9)
        let found = try Self.mismatches(store, ReportOracle(events: events), tenants: ["tenant-1", "tenant-2"], ends: [Self.end], periods: [7, 30])
        #expect(found.isEmpty, "\(found.count) mismatches, first: \(found.prefix(5).joined(separator: "\n"))")
    }

    @Test("an event without a bot id counts in the tenant's total and in no bot's group")
    func eventWithoutSliceCountsInTotalsOnly() throws {
        let day = Self.end
        func message(_ id: String, bot: String?, channel: String?) -> Event {
            Event(id: id, kind: .messageCreated(.user), userId: "t", occurredAtMillis: Int64(day.number) * 86_400_000 + 1_000,
                  conversationId: "c-\(id)", contactId: "k", botId: bot, channel: channel)
        }
        let store = try TallyStore()
        try store.apply(IngestBatch(events: [message("1", bot: "a", channel: "web"), message("2", bot: "b", channel: nil),
                                             message("3", bot: nil, channel: "web"), message("4", bot: "a", channel: nil)]))
        let messages = try #require(ReportCatalog.report(id: "clr3m5n8k000608jq3k0l1m7g"))
        let window = ReportWindow(periodDays: 7, end: day)
        let byBot = try store.report(messages, tenant: "t", window: window, groupBy: .botId)
        #expect(byBot.value == .count(4))
        #expect(byBot.groups == [.init(key: "a", value: .count(2), change: .count(2)), .init(key: "b", value: .count(1), change: .count(1))])
        let byChannel = try store.report(messages, tenant: "t", window: window, groupBy: .channel)
        #expect(byChannel.groups == [.init(key: "web", value: .count(2), change: .count(2))])
        #expect(try store.report(messages, tenant: "t", window: window).groups == nil, "no groups without groupBy")
        let contacts = try #require(ReportCatalog.report(id: "clr3m5n8k000408jq9i8j9k5e"))
        #expect(try store.report(contacts, tenant: RollupScope.key(tenant: "t", .botId, "a"), window: window).value == .count(1),
                "distinct contacts stay distinct within a slice")
    }

    @Test("a tenant's partial rebuild repairs its slices and leaves other tenants' slices as they were")
    func tenantTransplantCoversSlices() throws {
        let events = Self.traffic(seed: 43, tenants: 2, days: 20, total: 3_000)
        let live = try TransplantTests.store(events)
        let day = Self.end.advanced(by: -2)
        for tenant in ["tenant-1", "tenant-2"] {
            try TransplantTests.corrupt(live, tenant: RollupScope.key(tenant: tenant, .botId, "bot-1"), day: day)
        }
        // A slice the replay will not have at all: its rows must go.
        try TransplantTests.execute(live, "INSERT INTO daily_counters (tenant, day, messages) VALUES (?, ?, 5)",
                                    [RollupScope.key(tenant: "tenant-2", .channel, "phantom"), day.number])
        let scope = RebuildScope(tenant: "tenant-2")
        try live.transplant(scope, from: try TransplantTests.replay(events, scope))

        let oracle = ReportOracle(events: events)
        #expect(try Self.mismatches(live, oracle, tenants: ["tenant-2"], ends: [Self.end], periods: [7]).isEmpty)
        #expect(!(try Self.mismatches(live, oracle, tenants: ["tenant-1"], ends: [Self.end], periods: [7])).isEmpty)
        let clean = try TransplantTests.store(events)
        #expect(try TransplantTests.differing(live, clean) == ["\(RollupScope.key(tenant: "tenant-1", .botId, "bot-1")) \(day.iso)"])
    }
}
