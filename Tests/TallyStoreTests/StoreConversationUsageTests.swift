import Foundation
import GRDB
import Testing
import TallyDomain
@testable import TallyStore
import TallyTestSupport

/// The Conversation Usage Report from the store's conversation state parts equals the oracle's
/// naive computation over raw events, however late and out of order they arrive, and the new
/// counts travel with checksums and transplants.
@Suite("Store Conversation Usage matches the oracle")
struct StoreConversationUsageTests {
    static let end = StoreConversationMetricsTests.end

    /// Conversations spread over up to 9 days, plus generated traffic, with tokens on most messages
    /// and a few ids shared between tenants.
    static func events(seed: UInt64) -> [Event] {
        var random = SeededRandom(seed: seed &+ 100)
        let spread = StoreConversationMetricsTests.spreadConversations(seed: seed, tenants: 3, count: 900, lastDay: end)
        let traffic = Array(TrafficGenerator(seed: seed &+ 1, tenants: 3, days: 90, endDay: end, total: 4_000))
        return (spread + traffic).map { event in
            var event = event
            if case .messageCreated = event.kind, event.tokens == nil, random.chance(0.8) { event.tokens = random.int(in: 0...4_000) }
            // Some of tenant-2's events carry tenant-1's conversation ids: they must not count for tenant-1.
            if event.userId == "tenant-2", random.chance(0.05), let id = event.conversationId {
                event.conversationId = id.replacingOccurrences(of: "tenant-2", with: "tenant-1")
            }
            return event
        }
    }

    /// `count` ids of `tenant`'s conversations, some repeated, with an unknown id and another
    /// tenant's among them.
    static func requested(_ events: [Event], tenant: String, count: Int, random: inout SeededRandom) -> [String] {
        let known = Array(Set(events.filter { $0.userId == tenant }.compactMap(\.conversationId))).sorted()
        var ids = (0..<count).map { _ in known.isEmpty ? "none" : known[random.int(in: 0...(known.count - 1))] }
        ids[0] = "unknown-conversation"
        if count > 2 {
            ids[1] = events.first { $0.userId != tenant && $0.conversationId != nil }?.conversationId ?? "other"
            ids[2] = ids[count - 1]
        }
        return ids
    }

    static func mismatches(_ store: TallyStore, _ events: [Event], tenants: [String], periods: [Int], ends: [Day], seed: UInt64) throws -> [String] {
        let oracle = ConversationUsageOracle(events: events)
        var random = SeededRandom(seed: seed)
        var failures: [String] = []
        for tenant in tenants {
            for periodDays in periods {
                for end in ends {
                    for count in [1, 7, 40, 100] {
                        let ids = requested(events, tenant: tenant, count: count, random: &random)
                        let document = try store.conversationUsage(tenant: tenant, conversationIds: ids, window: ReportWindow(periodDays: periodDays, end: end))
                        let json = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(document)) as? [String: Any])
                        let expected = oracle.expected(tenant: tenant, conversationIds: ids, periodDays: periodDays, end: end)
                        if BotReportOracle.canonical(json) != BotReportOracle.canonical(expected) {
                            failures.append("\(tenant) \(periodDays)d to \(end.iso), \(count) ids")
                        }
                    }
                }
            }
        }
        return failures
    }

    @Test("several tenants, periods, end dates and id lists over shuffled events")
    func shuffledEventsMatchTheOracle() throws {
        let events = Self.events(seed: 61)
        var random = SeededRandom(seed: 5)
        let store = try TallyStore()
        try StoreConversationMetricsTests.apply(events.shuffled(using: &random), to: store, seed: 7)
        #expect(try Self.mismatches(store, events, tenants: ["tenant-1", "tenant-2", "nobody"], periods: [1, 7, 30, 90],
                                    ends: [Self.end, Self.end.advanced(by: -9), Self.end.advanced(by: -50)], seed: 3) == [])
        // The windows do count something: many conversations with messages and tokens.
        let ids = Array(Set(events.filter { $0.userId == "tenant-1" }.compactMap(\.conversationId)).sorted().prefix(100))
        let document = try store.conversationUsage(tenant: "tenant-1", conversationIds: ids, window: ReportWindow(periodDays: 90, end: Self.end))
        #expect(document.totalConversations > 20 && document.totalTokens > 1_000)
        #expect(document.items.map(\.conversationId) == ids)
    }

    @Test("parts written before v10 (NULL counts) read as no usage; checksums see the new counts")
    func nullCountsAndChecksums() throws {
        let events = Self.events(seed: 62)
        let store = try TallyStore()
        try StoreConversationMetricsTests.apply(events, to: store, seed: 1)
        let before = try store.rollupChecksums()
        try TransplantTests.execute(store, """
            UPDATE conversation_states SET tokens = tokens + 1
            WHERE (tenant, conversation_id, day) = (SELECT tenant, conversation_id, day FROM conversation_states WHERE messages > 0
                                                    ORDER BY tenant, conversation_id, day LIMIT 1)
            """)
        #expect(try store.rollupChecksums().filter { before[$0.key] != $0.value }.count == 1)

        let id = try #require(events.first { $0.userId == "tenant-1" && $0.kind == .messageCreated(.user) }?.conversationId)
        try TransplantTests.execute(store, "UPDATE conversation_states SET messages = NULL, tokens = NULL WHERE tenant = 'tenant-1' AND conversation_id = ?", [id])
        let document = try store.conversationUsage(tenant: "tenant-1", conversationIds: [id], window: ReportWindow(periodDays: 90, end: Self.end))
        #expect(document.items == [.init(conversationId: id, tokens: 0, conversations: 0, messages: 0)])
    }

    @Test("a partial rebuild of a range of days, and of a tenant, restores the usage")
    func transplants() throws {
        let events = Self.events(seed: 63)
        let first = Self.end.advanced(by: -30)
        let last = Self.end.advanced(by: -20)
        var random = SeededRandom(seed: 8)
        let missed = Set(events.indices.filter { events[$0].day >= first && events[$0].day <= last && random.chance(0.2) })
        let clean = try TransplantTests.store(events)
        let live = try TransplantTests.store(events.indices.filter { !missed.contains($0) }.map { events[$0] })
        try TransplantTests.execute(live, "UPDATE conversation_states SET messages = NULL, tokens = NULL WHERE tenant = 'tenant-3'")
        #expect(!(try TransplantTests.differing(live, clean)).isEmpty)

        let range = RebuildScope(firstDay: first, lastDay: last)
        _ = try live.transplant(range, from: try TransplantTests.replay(events, range))
        let tenant = RebuildScope(tenant: "tenant-3")
        _ = try live.transplant(tenant, from: try TransplantTests.replay(events, tenant))

        #expect(try TransplantTests.differing(live, clean) == [])
        #expect(try Self.mismatches(live, events, tenants: ["tenant-1", "tenant-3"], periods: [7, 30, 90],
                                    ends: [Self.end, last, first.advanced(by: 3)], seed: 4) == [])
    }
}
