import Foundation
import Testing
import TallyDomain
import TallyReports
import TallyStore
import TallyTestSupport

/// The `top_conversations` section lists what the oracle ranks from raw events: the fixture
/// tenant's (hostile bot ids and channels included), and a zoned tenant's whose conversations
/// span days and arrive shuffled across batches.
@Suite("Top conversations section")
struct TopConversationsTests {
    /// The section's table.
    static func table(_ spec: ReportSpec, store: TallyStore) async throws -> Table {
        let document = try await store.withRollupsAtPositionAsync { rollups, _ in
            try ReportDocumentBuilder().build(spec, generatedAtMillis: 0, dataAsOf: .init(committedAt: nil, offsets: []), from: rollups)
        }
        let blocks = try #require(document.sections.first { $0.name == .topConversations }).blocks
        for case .table(let table) in blocks { return table }
        Issue.record("no table in top_conversations")
        return Table(name: "", title: "", columns: [], rows: [])
    }

    /// The oracle's rows as the table's cells.
    static func cells(_ rows: [TopConversationsOracle.Row]) -> [[Table.Cell]] {
        func list(_ values: [String]) -> Table.Cell { values.isEmpty ? .empty : .text(values.joined(separator: ", ")) }
        func seconds(_ millis: Int64?) -> Table.Cell { millis.map { .number(.seconds(millis: Double($0))) } ?? .empty }
        func count(_ n: Int) -> Table.Cell { .number(.count(Int64(n))) }
        return rows.map { row in
            [.text(row.id), list(row.botIds), list(row.channels), count(row.userMessages), count(row.botMessages), count(row.messages),
             seconds(row.durationMillis), seconds(row.firstResponseMillis), count(row.thumbsUp), count(row.thumbsDown)]
        }
    }

    @Test("the fixture tenant's rows equal the oracle's for every period and limit", arguments: [1, 7, 30, 90])
    func fixtureRows(days: Int) async throws {
        let oracle = TopConversationsOracle(events: ReportFixtures.events)
        for limit in [nil, 1, 25, 100] as [Int?] {
            var spec = ReportFixtures.spec(.custom, sections: [.topConversations], days: days)
            if let limit { spec.sectionLimits = [.topConversations: limit] }
            let table = try await Self.table(spec, store: ReportFixtures.store)
            let expected = oracle.expected(tenant: ReportFixtures.tenant, start: spec.start, end: spec.end, limit: limit ?? 10)
            #expect(table.rows == Self.cells(expected), "\(days) days, limit \(limit.map(String.init) ?? "default")")
            #expect(table.columns.map(\.name) == ["conversation_id", "bot_id", "channel", "user_messages", "bot_messages", "messages", "duration",
                                                  "first_response", "thumbs_up", "thumbs_down"])
            if days == 90, limit == 100 { #expect(expected.count > 50) }
        }
    }

    @Test("hostile bot ids and channels come through as plain text, and a bot's slice ranks its own events")
    func hostileIdsAndSlices() async throws {
        let oracle = TopConversationsOracle(events: ReportFixtures.events)
        var spec = ReportFixtures.spec(.custom, sections: [.topConversations], days: 90)
        spec.sectionLimits = [.topConversations: 100]
        let table = try await Self.table(spec, store: ReportFixtures.store)
        let texts = Set(table.rows.flatMap { $0[1...2] }.compactMap { cell -> String? in if case .text(let t) = cell { t } else { nil } })
        #expect(ReportFixtures.hostile.contains { hostile in texts.contains { $0.contains(hostile) } })

        for bot in [ReportFixtures.hostile[0], ReportFixtures.hostile[7]] {
            var sliced = ReportFixtures.spec(.custom, sections: [.topConversations], days: 90, slice: (.botId, bot))
            sliced.sectionLimits = [.topConversations: 100]
            let rows = try await Self.table(sliced, store: ReportFixtures.store).rows
            #expect(!rows.isEmpty)
            #expect(rows == Self.cells(oracle.expected(tenant: ReportFixtures.tenant, start: sliced.start, end: sliced.end, limit: 100, botId: bot)))
        }
    }

    /// Conversations of a tenant in Los Angeles that span up to 10 days, some created after their
    /// first messages (so an early part's day is not the start day), with ratings either way.
    static func spanningEvents(seed: UInt64, end: Day) -> [Event] {
        var random = SeededRandom(seed: seed)
        var events: [Event] = []
        for index in 0..<600 {
            let conversation = "la-conv-\(index)"
            let base = Int64(end.advanced(by: -random.int(in: 0...70)).number) * 86_400_000 + Int64(random.int(in: 0...86_399_999))
            let bot = random.chance(0.2) ? ReportFixtures.hostile[random.int(in: 0...7)] : "bot-\(random.int(in: 1...4))"
            func event(_ kind: Event.Kind, _ offset: Int64, botId: String?) -> Event {
                Event(id: "\(conversation)-\(events.count)", kind: kind, userId: "la-tenant", occurredAtMillis: base + offset,
                      conversationId: conversation, contactId: "contact-\(random.int(in: 1...40))", botId: botId,
                      channel: random.chance(0.1) ? nil : ["web", "sms", "=CMD()"][random.int(in: 0...2)])
            }
            if random.chance(0.7) { events.append(event(.conversationCreated, Int64(random.int(in: -2 * 86_400_000...3_600_000)), botId: bot)) }
            for _ in 0..<(random.chance(0.1) ? 0 : random.int(in: 1...(random.chance(0.25) ? 40 : 8))) {
                let spread = random.chance(0.3) ? 10 * 86_400_000 : 5_400_000
                let type: MessageType = random.chance(0.45) ? .user : random.chance(0.8) ? .bot : .activity
                events.append(event(.messageCreated(type), Int64(random.int(in: 0...spread)), botId: random.chance(0.9) ? bot : "bot-handover"))
            }
            for _ in 0..<random.int(in: 0...2) {
                events.append(event(.ratingCreated(value: random.chance(0.6) ? 10 : -10), Int64(random.int(in: 0...3 * 86_400_000)), botId: bot))
            }
        }
        return events
    }

    @Test("a zoned tenant's conversations spanning days, applied shuffled in batches, rank as the oracle ranks them")
    func zonedShuffledBatches() async throws {
        let end = Day(iso: "2026-03-20")!  // Los Angeles moves to daylight time on 2026-03-08.
        let events = Self.spanningEvents(seed: 11, end: end)
        let store = try TallyStore()
        try store.setTenantZone("la-tenant", .init(identifier: "America/Los_Angeles"))
        var random = SeededRandom(seed: 12)
        var shuffled = events
        for i in shuffled.indices.reversed() where i > 0 { shuffled.swapAt(i, random.int(in: 0...i)) }
        var index = 0
        while index < shuffled.count {
            let batch = Array(shuffled[index..<min(shuffled.count, index + random.int(in: 1...400))])
            index += batch.count
            try store.apply(IngestBatch(events: batch, offsets: [PartitionOffset(topic: "events", partition: 0, nextOffset: Int64(index))]))
        }
        let oracle = TopConversationsOracle(events: events, timeZones: ["la-tenant": TimeZone(identifier: "America/Los_Angeles")!])
        for (days, periodEnd) in [(1, end), (7, end.advanced(by: -12)), (30, end), (90, end)] {
            for limit in [3, 10, 100] {
                let spec = ReportSpec(type: .custom, title: "t", sections: [.topConversations], tenant: "la-tenant",
                                      start: periodEnd.advanced(by: -(days - 1)), end: periodEnd, timeZone: "America/Los_Angeles",
                                      sectionLimits: [.topConversations: limit])
                let expected = oracle.expected(tenant: "la-tenant", start: spec.start, end: spec.end, limit: limit)
                #expect(try await Self.table(spec, store: store).rows == Self.cells(expected), "\(days) days to \(periodEnd.iso), limit \(limit)")
                if days == 90, limit == 100 { #expect(expected.count == 100 && expected.contains { $0.thumbsDown > 0 && $0.botIds.count > 1 }) }
            }
        }
        var sliced = ReportSpec(type: .custom, title: "t", sections: [.topConversations], tenant: "la-tenant", slice: (.channel, "=CMD()"),
                                start: end.advanced(by: -29), end: end, timeZone: "America/Los_Angeles", sectionLimits: [.topConversations: 50])
        sliced.title = "sliced"
        #expect(try await Self.table(sliced, store: store).rows
                == Self.cells(oracle.expected(tenant: "la-tenant", start: sliced.start, end: sliced.end, limit: 50, channel: "=CMD()")))
    }
}
