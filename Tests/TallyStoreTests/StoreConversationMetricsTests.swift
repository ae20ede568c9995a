import Foundation
import GRDB
import Testing
import TallyDomain
@testable import TallyStore
import TallyTestSupport

/// The conversation-level reports from the store's rollups equal the oracle's naive fold of the raw
/// events, however late and out of order the events arrive: percentiles within the documented
/// bound, everything else exactly.
@Suite("Store conversation metrics match the oracle")
struct StoreConversationMetricsTests {
    static let engagement = ReportCatalog.report(id: "tly7r2q9w000708jqg9engr1x")!
    static let abandonment = ReportCatalog.report(id: "tly7r2q9w000808jqh0abnd2y")!
    static let firstResponse = ReportCatalog.report(id: "tly7r2q9w000908jqi1frst3z")!
    static let duration = ReportCatalog.report(id: "tly7r2q9w000a08jqj2cdur4a")!
    static let depth = ReportCatalog.report(id: "tly7r2q9w000b08jqk3cdep5b")!
    static let reports = [engagement, abandonment, firstResponse, duration, depth]
    static let end = Day(year: 2026, month: 3, day: 2)!

    /// Conversations whose events spread over up to 9 days, in no particular order of time: some
    /// without `conversation.created` (or with it after their messages), bot messages before the
    /// first user message, long ones past 10 user messages, ratings carrying the conversation.
    static func spreadConversations(seed: UInt64, tenants: Int, count: Int, lastDay: Day) -> [Event] {
        var random = SeededRandom(seed: seed)
        var events: [Event] = []
        for index in 0..<count {
            let tenant = "tenant-\(random.int(in: 1...tenants))"
            let conversation = "\(tenant)-spread-\(seed)-\(index)"
            let base = Int64(lastDay.advanced(by: -random.int(in: 0...80)).number) * 86_400_000 + Int64(random.int(in: 0...86_399_999))
            func event(_ kind: Event.Kind, _ offset: Int64) -> Event {
                Event(id: "\(conversation)-\(events.count)", kind: kind, userId: tenant, occurredAtMillis: base + offset,
                      conversationId: conversation, contactId: "contact-\(random.int(in: 1...50))")
            }
            if random.chance(0.6) { events.append(event(.conversationCreated, Int64(random.int(in: -3_600_000...600_000)))) }
            let messages = random.chance(0.15) ? 0 : random.int(in: 1...(random.chance(0.2) ? 25 : 6))
            for _ in 0..<messages {
                let spread: Int64 = random.chance(0.3) ? 9 * 86_400_000 : 7_200_000
                let type: MessageType = random.chance(0.45) ? .user : random.chance(0.8) ? .bot : .activity
                events.append(event(.messageCreated(type), Int64(random.int(in: 0...Int(spread)))))
            }
            if random.chance(0.2) { events.append(event(.ratingCreated(value: 10), Int64(random.int(in: 0...86_400_000)))) }
        }
        return events
    }

    /// Applies `events` in batches of random sizes, the way ingest would.
    static func apply(_ events: [Event], to store: TallyStore, seed: UInt64, largest: Int = 700) throws {
        var random = SeededRandom(seed: seed)
        var index = 0
        while index < events.count {
            let slice = events[index..<min(events.count, index + random.int(in: 1...largest))]
            index += slice.count
            try store.apply(IngestBatch(events: Array(slice), offsets: [PartitionOffset(topic: "t", partition: 0, nextOffset: Int64(index))]))
        }
    }

    /// The reports that differ from the oracle, readable in a failure message.
    static func mismatches(_ store: TallyStore, _ oracle: ReportOracle, tenants: [String], ends: [Day],
                           periods: [Int] = [1, 7, 30, 90]) throws -> [String] {
        var found: [String] = []
        for tenant in tenants {
            for periodDays in periods {
                for end in ends {
                    for report in reports {
                        let actual = ReportOracle.Expected(try store.report(report, tenant: tenant, window: ReportWindow(periodDays: periodDays, end: end)))
                        let expected = try #require(oracle.expected(reportId: report.id, tenant: tenant, periodDays: periodDays, end: end))
                        if !actual.agrees(with: expected) { found.append("\(report.name) \(tenant) \(periodDays)d to \(end.iso): got \(actual), want \(expected)") }
                    }
                }
            }
        }
        return found
    }

    @Test("shuffled traffic and spread conversations, several tenants, periods and end dates")
    func shuffledEventsMatchTheOracle() throws {
        let events = Array(TrafficGenerator(seed: 17, tenants: 3, days: 100, endDay: Self.end, total: 12_000))
            + Self.spreadConversations(seed: 4, tenants: 3, count: 900, lastDay: Self.end)
        var random = SeededRandom(seed: 12)
        let store = try TallyStore()
        try Self.apply(events.shuffled(using: &random), to: store, seed: 6)
        let oracle = ReportOracle(events: events)
        let ends = [Self.end, Self.end.advanced(by: -9), Day(year: 2026, month: 2, day: 1)!]
        #expect(try Self.mismatches(store, oracle, tenants: ["tenant-1", "tenant-3", "nobody"], ends: ends) == [])
        // The data exercise every bucket and every figure.
        let depth = try store.report(Self.depth, tenant: "tenant-1", window: ReportWindow(periodDays: 90, end: Self.end))
        #expect(depth.buckets?.map(\.bucket) == ["0", "1", "2-3", "4-10", ">10"])
        #expect(depth.buckets?.allSatisfy { $0.total > 0 } == true)
        #expect(depth.buckets.map { .count($0.reduce(0) { $0 + $1.total }) } == depth.value)
        let response = try store.report(Self.firstResponse, tenant: "tenant-1", window: ReportWindow(periodDays: 90, end: Self.end))
        #expect((response.count ?? 0) > 100 && response.percentiles?.p99 != .hundredths(0))
    }

    @Test("the same events in another order and other batches give the same rollups, byte for byte")
    func orderDoesNotMatter() throws {
        let events = Self.spreadConversations(seed: 8, tenants: 2, count: 400, lastDay: Self.end)
            + Array(TrafficGenerator(seed: 3, tenants: 2, days: 20, endDay: Self.end, total: 2_000))
        let first = try TallyStore()
        let second = try TallyStore()
        try Self.apply(events, to: first, seed: 1)
        var random = SeededRandom(seed: 5)
        try Self.apply(events.shuffled(using: &random), to: second, seed: 2, largest: 40)
        #expect(try first.rollupChecksums() == second.rollupChecksums())
        func rows(_ store: TallyStore) throws -> [[DatabaseValue]] {
            try store.read { db in
                try Row.fetchAll(db, sql: "SELECT * FROM conversation_metrics ORDER BY tenant, day").map { Array($0.databaseValues) }
                    + Row.fetchAll(db, sql: "SELECT * FROM conversation_states ORDER BY tenant, conversation_id, day").map { Array($0.databaseValues) }
            }
        }
        #expect(try rows(first) == rows(second))
    }

    /// Whether an estimated figure is within the histogram's bound (and rounding) of `seconds`.
    static func close(_ figure: ReportNumber, seconds: Double) -> Bool {
        abs(figure.doubleValue - seconds) <= LogHistogram.relativeAccuracy * seconds + 0.01
    }

    /// Milliseconds at `seconds` past midnight of `day`.
    static func at(_ day: Day, _ seconds: Int64) -> Int64 { Int64(day.number) * 86_400_000 + seconds * 1000 }

    static func message(_ id: String, _ type: MessageType, _ millis: Int64, conversation: String = "c") -> Event {
        Event(id: id, kind: .messageCreated(type), userId: "u", occurredAtMillis: millis, conversationId: conversation)
    }

    @Test("late events, one per batch: the first response moves earlier, depth, duration and start day follow")
    func lateEventsOneByOne() throws {
        let day = Self.end.advanced(by: -3)
        let store = try TallyStore()
        var applied: [Event] = []
        func apply(_ event: Event) throws -> (ReportResult, ReportResult, ReportResult) {
            applied.append(event)
            try store.apply(IngestBatch(events: [event]))
            #expect(try Self.mismatches(store, ReportOracle(events: applied), tenants: ["u"], ends: [Self.end], periods: [1, 7, 30]) == [])
            let window = ReportWindow(periodDays: 7, end: Self.end)
            return (try store.report(Self.firstResponse, tenant: "u", window: window), try store.report(Self.depth, tenant: "u", window: window),
                    try store.report(Self.duration, tenant: "u", window: window))
        }
        // A bot greeting, then the user at 100 s and the answer at 130 s.
        _ = try apply(Self.message("b1", .bot, Self.at(day, 50)))
        _ = try apply(Self.message("b2", .bot, Self.at(day, 130)))
        var (response, depth, duration) = try apply(Self.message("u1", .user, Self.at(day, 100)))
        #expect(Self.close(response.value, seconds: 30) && response.count == 1)
        #expect(depth.buckets?[1].total == 1 && Self.close(duration.value, seconds: 80))
        // A late user message before the greeting: the greeting becomes the first response.
        (response, depth, duration) = try apply(Self.message("u0", .user, Self.at(day, 20)))
        #expect(Self.close(response.value, seconds: 30))
        #expect(response.percentiles.map { Self.close($0.p50, seconds: 30) } == true && depth.buckets?[2].total == 1)
        #expect(Self.close(duration.value, seconds: 110))
        // A user message a week late, later in the conversation: depth and duration move, the response stays.
        (response, depth, duration) = try apply(Self.message("u2", .user, Self.at(day.advanced(by: 2), 0)))
        #expect(Self.close(response.value, seconds: 30) && depth.buckets?[2].total == 1)
        #expect(Self.close(duration.value, seconds: 2 * 86_400 - 20))
        // A conversation.created two days earlier moves the conversation's start day there.
        _ = try apply(Event(id: "c0", kind: .conversationCreated, userId: "u", occurredAtMillis: Self.at(day.advanced(by: -2), 10), conversationId: "c"))
        let daily = try store.report(Self.depth, tenant: "u", window: ReportWindow(periodDays: 7, end: Self.end)).breakdown
        #expect(daily.map(\.total) == [.count(0), .count(1), .count(0), .count(0), .count(0), .count(0), .count(0)])
        // Events without a conversation id touch no conversation.
        _ = try apply(Event(id: "r", kind: .ratingCreated(value: 3), userId: "u", occurredAtMillis: Self.at(day, 500)))
        _ = try apply(Self.message("u9", .user, Self.at(day, 600), conversation: "other"))
        let engagement = try store.report(Self.engagement, tenant: "u", window: ReportWindow(periodDays: 7, end: Self.end))
        let abandonment = try store.report(Self.abandonment, tenant: "u", window: ReportWindow(periodDays: 7, end: Self.end))
        #expect(engagement.value == .hundredths(10000) && abandonment.value == .hundredths(5000))
    }

    @Test("every order of a tricky conversation, in single-event batches, answers the same")
    func everyOrderOfATrickyConversation() throws {
        let day = Self.end.advanced(by: -1)
        let events = [
            Self.message("b1", .bot, Self.at(day, 10)), Self.message("b2", .bot, Self.at(day, 40)),
            Self.message("u1", .user, Self.at(day, 50)), Self.message("b3", .bot, Self.at(day, 70)),
            Self.message("u0", .user, Self.at(day, 30)), Self.message("a", .activity, Self.at(day.advanced(by: 1), 5)),
            Event(id: "c", kind: .conversationCreated, userId: "u", occurredAtMillis: Self.at(day, 60), conversationId: "c"),
        ]
        let oracle = ReportOracle(events: events)
        var random = SeededRandom(seed: 99)
        var checksums: Set<UInt64> = []
        for _ in 0..<30 {
            let store = try TallyStore()
            for event in events.shuffled(using: &random) { try store.apply(IngestBatch(events: [event])) }
            #expect(try Self.mismatches(store, oracle, tenants: ["u"], ends: [Self.end], periods: [1, 7]) == [])
            checksums.formUnion(try store.rollupChecksums().values)
            let response = try store.report(Self.firstResponse, tenant: "u", window: ReportWindow(periodDays: 7, end: Self.end))
            #expect(Self.close(response.value, seconds: 10), "u0 at 30 s is answered by b2 at 40 s")
        }
        #expect(checksums.count == 2, "one checksum per day with rows, whatever the order")
    }

    @Test("checksums see a changed conversation state and a changed aggregate")
    func checksumsCoverConversations() throws {
        let events = Self.spreadConversations(seed: 2, tenants: 1, count: 100, lastDay: Self.end)
        let store = try TallyStore()
        try Self.apply(events, to: store, seed: 3)
        let before = try store.rollupChecksums()
        try store.write { db in try db.execute(sql: """
            UPDATE conversation_states SET user_messages = user_messages + 1
            WHERE (conversation_id, day) = (SELECT conversation_id, day FROM conversation_states ORDER BY conversation_id, day LIMIT 1)
            """) }
        let afterState = try store.rollupChecksums()
        #expect(afterState.filter { before[$0.key] != $0.value }.count == 1)
        try store.write { db in try db.execute(sql: "UPDATE conversation_metrics SET depth_0 = depth_0 + 1 WHERE day = (SELECT MIN(day) FROM conversation_metrics)") }
        #expect(try store.rollupChecksums().filter { afterState[$0.key] != $0.value }.count == 1)
    }

    @Test("a partial rebuild of a range of days merges straddling conversations again and equals a full fold")
    func dateRangeTransplant() throws {
        let first = Self.end.advanced(by: -30)
        let last = Self.end.advanced(by: -20)
        let events = Self.spreadConversations(seed: 21, tenants: 2, count: 700, lastDay: Self.end)
            + Array(TrafficGenerator(seed: 22, tenants: 2, days: 60, endDay: Self.end, total: 3_000))
        let scope = RebuildScope(firstDay: first, lastDay: last)
        // The live store missed some events of the range and counted strays no topic explains there,
        // among them messages of conversations whose other events lie outside the range.
        var random = SeededRandom(seed: 23)
        let missed = Set(events.indices.filter { scope.contains(day: events[$0].day) && random.chance(0.15) })
        let strays = events.filter { !scope.contains(day: $0.day) && $0.conversationId != nil && random.chance(0.05) }.map { event in
            Event(id: "stray-\(event.id)", kind: .messageCreated(.user), userId: event.userId,
                  occurredAtMillis: Int64(first.advanced(by: random.int(in: 0...10)).number) * 86_400_000 + 1_000, conversationId: event.conversationId)
        }
        let clean = try TransplantTests.store(events)
        let live = try TransplantTests.store(events.indices.filter { !missed.contains($0) }.map { events[$0] } + strays)
        try TransplantTests.execute(live, "UPDATE conversation_metrics SET depth_1 = depth_1 + 4 WHERE day = ?", [first.advanced(by: 3).number])
        #expect(!(try TransplantTests.differing(live, clean)).isEmpty)

        let outside = try live.transplant(scope, from: try TransplantTests.replay(events, scope))

        #expect(try TransplantTests.differing(live, clean) == [])
        #expect(outside.contains { !scope.contains(day: $0.day) }, "straddling conversations moved days outside the range")
        #expect(outside.allSatisfy { !scope.contains(day: $0.day) })
        let oracle = ReportOracle(events: events)
        #expect(try Self.mismatches(live, oracle, tenants: ["tenant-1", "tenant-2"], ends: [Self.end, last, first.advanced(by: 2)], periods: [1, 7, 30]) == [])
        // Ingest goes on into the transplanted store.
        let more = Self.spreadConversations(seed: 24, tenants: 2, count: 100, lastDay: Self.end)
        try Self.apply(more, to: live, seed: 2)
        #expect(try Self.mismatches(live, ReportOracle(events: events + more), tenants: ["tenant-1"], ends: [Self.end], periods: [30, 90]) == [])
    }

    @Test("a partial rebuild of one tenant replaces its conversation states and aggregates whole")
    func tenantTransplant() throws {
        let events = Self.spreadConversations(seed: 31, tenants: 3, count: 600, lastDay: Self.end)
        let clean = try TransplantTests.store(events)
        let live = try TransplantTests.store(events.filter { $0.userId != "tenant-2" || !$0.id.hasSuffix("-1") })
        try TransplantTests.execute(live, "DELETE FROM conversation_states WHERE tenant = 'tenant-2' AND conversation_id LIKE '%0'")
        try TransplantTests.execute(live, "UPDATE conversation_metrics SET depth_0 = depth_0 + 1 WHERE tenant IN ('tenant-2', 'tenant-3') AND day = ?",
                                    [Self.end.advanced(by: -5).number])
        let scope = RebuildScope(tenant: "tenant-2")

        #expect(try live.transplant(scope, from: try TransplantTests.replay(events, scope)).isEmpty)

        #expect(try TransplantTests.differing(live, clean) == ["tenant-3 \(Self.end.advanced(by: -5).iso)"])
        #expect(try Self.mismatches(live, ReportOracle(events: events), tenants: ["tenant-2"], ends: [Self.end, Self.end.advanced(by: -40)]) == [])
    }
}

/// Storage and timing of the conversation rollups (`TALLY_MEASURE_CONVERSATIONS=1 swift test --filter
/// ConversationMetricsMeasurement`); prints the figures and asserts nothing, since they depend on the
/// build and the machine. `TALLY_MEASURE_EVENTS` sets the number of generated events (default 1 M,
/// one tenant, 730 days, 5 000-event batches).
@Suite("Conversation metrics measurement", .enabled(if: ProcessInfo.processInfo.environment["TALLY_MEASURE_CONVERSATIONS"] == "1"))
struct ConversationMetricsMeasurement {
    @Test("bytes per conversation and per tenant-day, ingest share, 365-day fetch")
    func measure() throws {
        let total = Int(ProcessInfo.processInfo.environment["TALLY_MEASURE_EVENTS"] ?? "") ?? 1_000_000
        let end = StoreConversationMetricsTests.end
        let events = Array(TrafficGenerator(seed: 77, tenants: 1, days: 730, endDay: end, total: total))
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tally-conversations-bench-\(UUID().uuidString)").path
        let store = try TallyStore(dataDirectory: directory)
        // The conversation part alone, on a store of its own, for the same batches.
        let alone = try TallyStore(dataDirectory: directory + "-alone")
        var applySeconds = 0.0
        var conversationSeconds = 0.0
        var index = 0
        while index < events.count {
            let slice = Array(events[index..<min(events.count, index + 5_000)])
            index += slice.count
            let delta = RollupDelta(folding: slice)
            var started = Date()
            try store.apply(IngestBatch(events: slice, offsets: [PartitionOffset(topic: "t", partition: 0, nextOffset: Int64(index))]))
            applySeconds += Date().timeIntervalSince(started)
            started = Date()
            try alone.write { db in try alone.applyConversations(delta.conversationsInKeyOrder(), clocks: delta.clocks, db: db) }
            conversationSeconds += Date().timeIntervalSince(started)
        }
        let storage = try store.read { db in
            try ["conversation_states", "conversation_metrics"].map { (table: String) in
                (table, try Int.fetchOne(db, sql: "SELECT SUM(pgsize) FROM dbstat WHERE name = ?", arguments: [table]) ?? 0,
                 try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(table)") ?? 0)
            }
        }
        let conversations = try store.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(DISTINCT conversation_id) FROM conversation_states") ?? 0 }
        let window = ReportWindow(periodDays: 365, end: end)
        var fetches: [String] = []
        for report in StoreConversationMetricsTests.reports {
            for _ in 0..<10 { _ = try store.report(report, tenant: "tenant-1", window: window) }
            let timings = try (0..<200).map { _ in
                let start = DispatchTime.now().uptimeNanoseconds
                _ = try store.report(report, tenant: "tenant-1", window: window)
                return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
            }.sorted()
            fetches.append("\(report.name) p50 \(timings[100]) ms p99 \(timings[198]) ms")
        }
        print("conversation-metrics-measure: \(events.count) events, \(conversations) conversations;"
              + " apply \(applySeconds) s in all, of which the conversation part alone takes \(conversationSeconds) s;"
              + storage.map { " \($0.0): \($0.1) bytes, \($0.2) rows, \(Double($0.1) / Double(max($0.2, 1))) bytes a row;" }.joined()
              + " 365-day fetch: " + fetches.joined(separator: "; "))
    }
}
