import Foundation
import Testing
import TallyDomain
import TallyStore
import TallyTestSupport

/// Members resolve to the same ordinals and first days whatever the ordinal cache holds: complete
/// (a fresh store, where a member the cache misses is new without asking the store), empty (a store
/// reopened), or dropped because another handle wrote to the same file between batches.
@Suite("Member resolution with a partial cache")
struct MemberResolutionTests {
    @Test("reports match the oracle across a reopen and a second handle writing between batches, with late events")
    func reopenedAndSharedStoresStayExact() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tally-members-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let end = Day(year: 2026, month: 3, day: 2)!
        // Shuffled over the days, so that late events move contacts' first days back.
        let events = Array(TrafficGenerator(seed: 23, tenants: 3, days: 40, endDay: end, total: 9_000, spread: .shuffled))
        var random = SeededRandom(seed: 9)
        var offset: Int64 = 0
        func batches(_ slice: ArraySlice<Event>, _ apply: (IngestBatch) throws -> Void) throws {
            var index = slice.startIndex
            while index < slice.endIndex {
                let next = min(slice.endIndex, index + random.int(in: 1...400))
                offset += Int64(next - index)
                try apply(IngestBatch(events: Array(slice[index..<next]), offsets: [PartitionOffset(topic: "t", partition: 0, nextOffset: offset)]))
                index = next
            }
        }
        let third = events.count / 3
        do {
            let fresh = try TallyStore(dataDirectory: directory)
            try batches(events[..<third]) { try fresh.apply($0) }
        }
        do {
            // Reopened: an empty cache. A second handle on the same file takes every other batch.
            let reopened = try TallyStore(dataDirectory: directory)
            let other = try TallyStore(dataDirectory: directory)
            var turn = 0
            try batches(events[third..<(2 * third)]) { batch in
                turn += 1
                try (turn % 2 == 0 ? other : reopened).apply(batch)
            }
        }
        let last = try TallyStore(dataDirectory: directory)
        try batches(events[(2 * third)...]) { try last.apply($0) }

        let oracle = ReportOracle(events: events)
        for tenant in ["tenant-1", "tenant-2", "tenant-3"] {
            for periodDays in [1, 7, 30] {
                for report in ReportCatalog.all {
                    let actual = try last.report(report, tenant: tenant, window: ReportWindow(periodDays: periodDays, end: end))
                    let expected = try #require(oracle.expected(reportId: report.id, tenant: tenant, periodDays: periodDays, end: end))
                    #expect(ReportOracle.Expected(actual).agrees(with: expected), "\(report.name) \(tenant) \(periodDays)d")
                }
            }
        }
    }
}
