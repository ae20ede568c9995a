import Foundation
import Testing
import TallyDomain
import TallyStore
import TallyTestSupport

/// The store's rollups, applied batch by batch, must answer every report exactly as the oracle
/// computes it from the raw events, on an in-memory and an on-disk database alike.
@Suite("Store reports match the oracle")
struct StoreReportTests {
    /// Each scenario runs against both kinds of store.
    enum StoreKind: String, CaseIterable, CustomTestStringConvertible {
        case inMemory, onDisk
        var testDescription: String { rawValue }
    }

    static func makeStore(_ kind: StoreKind) throws -> TallyStore {
        switch kind {
        case .inMemory: return try TallyStore()
        case .onDisk:
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tally-store-\(UUID().uuidString)").path
            return try TallyStore(dataDirectory: directory)
        }
    }

    static let end = Day(year: 2026, month: 3, day: 2)!

    /// Applies `events` in batches of random sizes, the way ingest would.
    static func apply(_ events: [Event], to store: TallyStore, seed: UInt64) throws {
        var random = SeededRandom(seed: seed)
        var index = 0
        var offset: Int64 = 0
        while index < events.count {
            let size = random.int(in: 1...700)
            let slice = events[index..<min(events.count, index + size)]
            index += slice.count
            offset += Int64(slice.count)
            try store.apply(IngestBatch(events: Array(slice), offsets: [PartitionOffset(topic: "t", partition: 0, nextOffset: offset)]))
        }
    }

    @Test("every report for several tenants, periods and end dates equals the oracle", arguments: StoreKind.allCases)
    func everyReportMatchesTheOracle(kind: StoreKind) throws {
        let store = try Self.makeStore(kind)
        // 70 days ending 2026-03-02 cross a month boundary (and February).
        let events = Array(TrafficGenerator(seed: 11, tenants: 4, days: 70, endDay: Self.end, total: 12_000))
        try Self.apply(events, to: store, seed: 5)
        let oracle = ReportOracle(events: events)
        var compared = 0
        for tenant in ["tenant-1", "tenant-3"] {
            for periodDays in [1, 7, 30] {
                for end in [Self.end, Self.end.advanced(by: -13), Day(year: 2026, month: 2, day: 1)!] {
                    for report in ReportCatalog.all {
                        let actual = try store.report(report, tenant: tenant, window: ReportWindow(periodDays: periodDays, end: end))
                        let expected = try #require(oracle.expected(reportId: report.id, tenant: tenant, periodDays: periodDays, end: end))
                        #expect(ReportOracle.Expected(actual).agrees(with: expected), "\(report.name) \(tenant) \(periodDays)d to \(end)")
                        compared += 1
                    }
                }
            }
        }
        #expect(compared == 2 * 3 * 3 * ReportCatalog.all.count)
        #expect(try store.consumedOffsets() == [PartitionOffset(topic: "t", partition: 0, nextOffset: Int64(events.count))])
    }

    @Test("a late event moves a contact's first day earlier and Total Contacts follows", arguments: StoreKind.allCases)
    func lateEventMovesFirstSeen(kind: StoreKind) throws {
        let store = try Self.makeStore(kind)
        func event(_ id: String, day: Day, contact: String) -> Event {
            Event(id: id, kind: .conversationCreated, userId: "u", occurredAtMillis: Int64(day.number) * 86_400_000 + 5000,
                  conversationId: "c-\(id)", contactId: contact)
        }
        let events = [
            event("1", day: Self.end, contact: "alice"),
            event("2", day: Self.end.advanced(by: -1), contact: "bob"),
            event("3", day: Self.end.advanced(by: -5), contact: "alice"),  // late: alice was first seen earlier
        ]
        for e in events { try Self.apply([e], to: store, seed: 1) }
        let report = ReportCatalog.report(id: "clr3m5n8k000308jq1h7i8j4d")!
        let result = try store.report(report, tenant: "u", window: ReportWindow(periodDays: 7, end: Self.end))
        #expect(ReportOracle.Expected(result) == ReportOracle(events: events).expected(reportId: report.id, tenant: "u", periodDays: 7, end: Self.end))
        #expect(result.value == .count(2))
        #expect(result.breakdown.map(\.total) == [.count(0), .count(1), .count(1), .count(1), .count(1), .count(2), .count(2)])
    }

    @Test("dead letters keep their origin, code and at most 64 KiB of the payload", arguments: StoreKind.allCases)
    func deadLettersAreStored(kind: StoreKind) throws {
        let store = try Self.makeStore(kind)
        let big = [UInt8](repeating: 0x41, count: 1 << 20)
        try store.apply(IngestBatch(deadLetters: [
            DeadLetter(topic: "messages", partition: 2, offset: 41, key: nil, payload: big, code: "too_large", message: "too big", receivedAtMillis: 10),
            DeadLetter(topic: "messages", partition: 2, offset: 42, key: Array("u".utf8), payload: Array("{".utf8), code: "invalid_json", message: "bad", receivedAtMillis: 11),
        ], offsets: [PartitionOffset(topic: "messages", partition: 2, nextOffset: 43)]))
        let letters = try store.deadLetters()
        #expect(letters.count == 2)
        #expect(letters.map(\.offset) == [42, 41])
        #expect(letters[1].payload.count == DeadLetter.maximumStoredBytes && letters[1].payloadBytes == 1 << 20)
        #expect(try store.deadLetters(code: "invalid_json").map(\.offset) == [42])
        #expect(try store.deadLetterCounts() == ["too_large": 1, "invalid_json": 1])
        #expect(try store.consumedOffset(topic: "messages", partition: 2) == 43)
    }
}
