import Foundation
import Testing
import TallyDomain
import TallyStore
import TallyTestSupport

/// Tally's own ingest figures, recorded by the batches that commit them: per tenant the events
/// counted and the copies skipped, and for the pipeline batches, dead letters by code, lag,
/// freshness and what the retention deleted. The expected numbers come from the test's own
/// knowledge of what it sent.
@Suite("Ingest health")
struct StoreIngestHealthTests {
    static let end = Day(year: 2026, month: 5, day: 20)!

    @Test("each batch records its tenants' events and copies, and the pipeline's dead letters, lag and freshness")
    func recordsEachBatch() async throws {
        let store = try TallyStore()
        let events = Array(TrafficGenerator(seed: 31, tenants: 3, days: 5, endDay: Self.end, total: 3_000))
        var random = SeededRandom(seed: 5)
        var stream = events
        for event in events where random.chance(0.2) { stream.insert(event, at: random.int(in: 0...stream.count)) }
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        var batches = 0
        for (index, first) in stride(from: 0, to: stream.count, by: 700).enumerated() {
            let slice = Array(stream[first..<min(stream.count, first + 700)])
            let letters = (0..<index).map { n in
                DeadLetter(topic: "events", partition: 0, offset: Int64(n), key: nil, payload: [], code: n.isMultiple(of: 2) ? "invalid_json" : "unknown_type",
                           message: "bad", receivedAtMillis: now)
            }
            try store.apply(IngestBatch(events: slice, seenAtMillis: slice.map { _ in now - 1_500 }, deadLetters: letters,
                                        lagRecords: Int64(100 * index)), dedupeDays: 7)
            batches += 1
        }
        let today = Day(epochMillis: Int64(Date().timeIntervalSince1970 * 1000))
        var deadLetters: [String: Int64] = [:]
        for index in 0..<batches { for n in 0..<index { deadLetters[n.isMultiple(of: 2) ? "invalid_json" : "unknown_type", default: 0] += 1 } }
        for tenant in Set(events.map(\.userId)) {
            let days = try await store.ingestHealth(tenant: tenant, from: today.advanced(by: -1), through: today.advanced(by: 1))
            // Summed over the days around today, in case the batches straddled a midnight.
            let figures = days.values.reduce(into: IngestHealthDay()) { $0.add($1) }
            #expect(figures.eventsCounted == Int64(events.filter { $0.userId == tenant }.count), "\(tenant)")
            #expect(figures.duplicatesSkipped == Int64(stream.filter { $0.userId == tenant }.count - events.filter { $0.userId == tenant }.count))
            #expect(figures.batches == Int64(batches))
            #expect(figures.deadLetters == deadLetters)
            #expect(figures.maximumLag == Int64(100 * (batches - 1)))
            let freshness = try #require(figures.maximumFreshnessMillis)
            #expect(freshness >= 1_500 && freshness < 60_000, "\(freshness)")
        }
        #expect(try await store.ingestHealth(tenant: "nobody", from: today, through: today)[today]?.eventsCounted ?? 0 == 0)
    }

    @Test("ids and dead letters the retention deletes are counted on the day they go")
    func recordsPruning() async throws {
        let store = try TallyStore()
        let events = Array(TrafficGenerator(seed: 32, tenants: 1, days: 2, endDay: Self.end, total: 200))
        let old = Int64(Date().timeIntervalSince1970 * 1000) - 40 * 86_400_000
        let letters = (0..<7).map { DeadLetter(topic: "events", partition: 0, offset: Int64($0), key: nil, payload: [], code: "invalid_json", message: "x", receivedAtMillis: old) }
        try store.apply(IngestBatch(events: events, seenAtMillis: events.map { _ in old }, deadLetters: letters), dedupeDays: 7)
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let ids = try store.pruneSeenEvents(seenBefore: now - 8 * 86_400_000)
        let removed = try store.pruneDeadLetters(receivedBefore: now - 30 * 86_400_000)
        #expect(ids == events.count && removed == 7)
        let today = Day(epochMillis: now)
        let days = try await store.ingestHealth(tenant: events[0].userId, from: today.advanced(by: -1), through: today.advanced(by: 1))
        let pruned = days.values.reduce(into: IngestHealthDay()) { $0.add($1) }
        #expect(pruned.prunedDedupeIds == Int64(events.count))
        #expect(pruned.prunedDeadLetters == 7)
    }
}
