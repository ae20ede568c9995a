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
                #expect(ReportOracle.Expected(actual) == oracle.expected(reportId: report.id, tenant: tenant, periodDays: 10, end: Self.end), "\(report.name)")
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

    @Test("pruning forgets ids older than the window, bounding the dedupe state")
    func pruning() throws {
        let store = try TallyStore()
        let events = (0..<20).map { i in
            Event(id: "e\(i)", kind: .conversationCreated, userId: "t", occurredAtMillis: Int64(Self.end.number - Int32(i)) * 86_400_000, conversationId: "c\(i)")
        }
        try store.apply(IngestBatch(events: events), dedupeDays: 7)
        #expect(try store.pruneSeenEvents(before: Self.end.advanced(by: -7)) == 12)
        #expect(try store.seenEventCount() == 8)
    }
}
