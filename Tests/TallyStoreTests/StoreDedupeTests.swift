import Foundation
import Testing
import TallyDomain
import TallyStore
import TallyTestSupport

/// Re-sent events (same tenant and id) count once, within a batch, across batches and across a
/// reopen of the store; with dedupe off they count every time.
@Suite("Dedupe")
struct StoreDedupeTests {
    static let end = Day(year: 2026, month: 5, day: 20)!

    @Test("each event counts once however often and wherever it is re-sent")
    func resentEventsCountOnce() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tally-dedupe-\(UUID().uuidString)").path
        let events = Array(TrafficGenerator(seed: 8, tenants: 3, days: 10, endDay: Self.end, total: 6_000))
        var random = SeededRandom(seed: 12)
        // 10 % are sent twice: some in the same batch, some in a later one, some after a reopen.
        var stream = events
        for event in events where random.chance(0.1) {
            stream.insert(event, at: random.int(in: 0...stream.count))
        }
        let resent = stream.count - events.count
        var store = try TallyStore(dataDirectory: directory)
        var duplicates = 0
        for (index, start) in stride(from: 0, to: stream.count, by: 500).enumerated() {
            if index == 6 { store = try TallyStore(dataDirectory: directory) }
            let outcome = try store.apply(IngestBatch(events: Array(stream[start..<min(stream.count, start + 500)])), dedupeDays: 7)
            duplicates += outcome.duplicates
        }
        #expect(duplicates == resent)
        #expect(try store.total("duplicates") == Int64(resent))
        #expect(try store.seenEventCount() == events.count)
        let oracle = ReportOracle(events: events)
        for report in ReportCatalog.all {
            for tenant in ["tenant-1", "tenant-2", "tenant-3"] {
                let actual = try store.report(report, tenant: tenant, window: ReportWindow(periodDays: 10, end: Self.end))
                #expect(oracle.expected(reportId: report.id, tenant: tenant, periodDays: 10, end: Self.end).map(ReportOracle.Expected(actual).agrees(with:)) == true, "\(report.name)")
            }
        }
    }

    @Test("the same id under two tenants is two events, and dedupe off counts repeats")
    func scopeAndSwitch() throws {
        func rating(_ tenant: String) -> Event {
            Event(id: "same", kind: .ratingCreated(value: 5), userId: tenant, occurredAtMillis: Int64(Self.end.number) * 86_400_000)
        }
        let store = try TallyStore()
        #expect(try store.apply(IngestBatch(events: [rating("a"), rating("b"), rating("a")]), dedupeDays: 7) == ApplyOutcome(counted: 2, duplicates: 1))
        #expect(try store.apply(IngestBatch(events: [rating("a")]), dedupeDays: 0) == ApplyOutcome(counted: 1, duplicates: 0))
        let total = ReportCatalog.report(id: "clr3m5n8k000008jq7h9e5b1a")!
        #expect(try store.report(total, tenant: "a", window: ReportWindow(periodDays: 1, end: Self.end)).value == .count(2))
    }

    static let day: Int64 = 86_400_000

    @Test("pruning forgets ids first seen before the cutoff, a day of sightings per pass, bounding the dedupe state")
    func pruning() throws {
        let store = try TallyStore()
        let seenAt = Int64(Self.end.number) * Self.day
        // Events of one day, first seen over 20 days: what is pruned is decided by sighting, not occurredAt.
        let events = (0..<20).map { i in
            Event(id: "e\(i)", kind: .conversationCreated, userId: "t", occurredAtMillis: seenAt - 40 * Self.day, conversationId: "c\(i)")
        }
        try store.apply(IngestBatch(events: events, seenAtMillis: (0..<20).map { seenAt - Int64($0) * Self.day }), dedupeDays: 7)
        #expect(try store.pruneOldestSeenDay(seenBefore: seenAt - 7 * Self.day) == 1, "the oldest day of sightings first")
        #expect(try store.pruneSeenEvents(seenBefore: seenAt - 7 * Self.day) == 11)
        #expect(try store.seenEventCount() == 8)
        #expect(try store.pruneOldestSeenDay(seenBefore: seenAt - 7 * Self.day) == nil)
    }

    @Test("a copy of a late event counts once however old its occurredAt, within the window from its first sighting")
    func lateEventCopies() throws {
        let store = try TallyStore()
        let firstSeen = Int64(Self.end.number) * Self.day + 3_600_000
        for daysLate in [9, 30, 300] {
            let late = Event(id: "late-\(daysLate)", kind: .messageCreated(.user), userId: "t",
                             occurredAtMillis: firstSeen - Int64(daysLate) * Self.day, conversationId: "c")
            // Two copies at once, as a retrying client sends them.
            #expect(try store.apply(IngestBatch(events: [late, late], seenAtMillis: [firstSeen, firstSeen]), dedupeDays: 7)
                    == ApplyOutcome(counted: 1, duplicates: 1))
            // Maintenance 85 s later keeps the id: it was seen 85 s ago, not `daysLate` days ago.
            #expect(try store.pruneSeenEvents(seenBefore: firstSeen + 85_000 - 8 * Self.day) == 0)
            #expect(try store.apply(IngestBatch(events: [late], seenAtMillis: [firstSeen + 85_000]), dedupeDays: 7)
                    == ApplyOutcome(counted: 0, duplicates: 1))
            // Six days on it is still a copy; eight days on, the window has passed and it counts again.
            #expect(try store.apply(IngestBatch(events: [late], seenAtMillis: [firstSeen + 6 * Self.day]), dedupeDays: 7)
                    == ApplyOutcome(counted: 0, duplicates: 1))
            #expect(try store.apply(IngestBatch(events: [late], seenAtMillis: [firstSeen + 8 * Self.day]), dedupeDays: 7)
                    == ApplyOutcome(counted: 1, duplicates: 0))
        }
        let messages = ReportCatalog.report(id: "clr3m5n8k000608jq3k0l1m7g")!
        let total = try store.report(messages, tenant: "t", window: ReportWindow(periodDays: 365, end: Self.end))
        #expect(total.value == .count(6), "each of the three events counted once, and once more after its window")
    }

    @Test("a store that prunes as it goes and one that never prunes count the same stream alike")
    func pruningDoesNotChangeDecisions() throws {
        let pruned = try TallyStore()
        let replay = try TallyStore()
        var random = SeededRandom(seed: 99)
        let start = Int64(Self.end.number) * Self.day
        // 60 days of sightings; each event is re-sent 0 to 10 days after it was first seen.
        var stream: [(event: Event, seenAt: Int64)] = []
        for i in 0..<600 {
            let seenAt = start + Int64(i) * Self.day / 10
            let event = Event(id: "e\(i)", kind: .ratingCreated(value: 1), userId: "t",
                              occurredAtMillis: seenAt - Int64(random.int(in: 0...60)) * Self.day)
            stream.append((event, seenAt))
            if random.chance(0.5) { stream.append((event, seenAt + Int64(random.int(in: 0...(10 * 24))) * 3_600_000)) }
        }
        stream.sort { $0.seenAt < $1.seenAt }
        var counted = (pruned: 0, replay: 0)
        for (index, item) in stream.enumerated() {
            counted.pruned += try pruned.apply(IngestBatch(events: [item.event], seenAtMillis: [item.seenAt]), dedupeDays: 7).counted
            counted.replay += try replay.apply(IngestBatch(events: [item.event], seenAtMillis: [item.seenAt]), dedupeDays: 7).counted
            // Maintenance every 40 sightings, with the live server's day of slack.
            if index % 40 == 0 { try pruned.pruneSeenEvents(seenBefore: item.seenAt - 8 * Self.day) }
        }
        #expect(counted.pruned == counted.replay)
        #expect(counted.replay > 600, "some copies came after their window and counted again")
        #expect(try pruned.seenEventCount() < replay.seenEventCount())
    }
}
