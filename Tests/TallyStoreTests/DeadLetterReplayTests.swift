import Foundation
import Testing
import TallyDomain
import TallyStore
import TallyTestSupport

/// Replaying dead letters after a contract change: what now passes is counted exactly once and
/// resolved in the same transaction; what still fails, or was cut at the stored limit, stays.
@Suite("Dead-letter replay")
struct DeadLetterReplayTests {
    static let end = Day(year: 2026, month: 5, day: 20)!
    /// The start of the day after `end`: dead letters were received an hour before it, so every
    /// generated event lies in the past of its receipt.
    static let now = Int64(end.number + 1) * 86_400_000
    static let tenants = (0..<3).map(TrafficGenerator.tenantId)

    /// A dead letter as ingest would have stored it, with the message keyed by the event's tenant.
    static func letter(_ payload: [UInt8], code: EventRejection.Code, key: String?, offset: Int64) -> DeadLetter {
        DeadLetter(topic: "events", partition: 0, offset: offset, key: key.map { Array($0.utf8) }, payload: payload,
                   code: code.rawValue, message: "rejected by an older contract", receivedAtMillis: now - 3_600_000 + offset)
    }

    /// Stores `letters` in batches of 250, as ingest would, with the offsets that follow them.
    static func storeDeadLetters(_ letters: [DeadLetter], in store: TallyStore) throws {
        for start in stride(from: 0, to: letters.count, by: 250) {
            let chunk = Array(letters[start..<min(letters.count, start + 250)])
            try store.apply(IngestBatch(deadLetters: chunk, offsets: [PartitionOffset(topic: "events", partition: 0, nextOffset: chunk.last!.offset + 1)]))
        }
    }

    /// Every report of the catalog for every tenant equals the oracle's answer over `events`.
    static func expectReports(_ store: TallyStore, equal events: [Event], sourceLocation: SourceLocation = #_sourceLocation) throws {
        let oracle = ReportOracle(events: events)
        for report in ReportCatalog.all {
            for tenant in tenants {
                let actual = try store.report(report, tenant: tenant, window: ReportWindow(periodDays: 30, end: end))
                #expect(oracle.expected(reportId: report.id, tenant: tenant, periodDays: 30, end: end).map(ReportOracle.Expected(actual).agrees(with:)) == true,
                        "\(report.name) for \(tenant)", sourceLocation: sourceLocation)
            }
        }
    }

    @Test("events that now pass are counted once and resolved; still-invalid and truncated ones stay; a second replay counts nothing")
    func replayCountsOnce() throws {
        let store = try TallyStore()
        let events = Array(TrafficGenerator(seed: 31, tenants: 3, days: 20, endDay: Self.end, total: 3_000))
        // Every third event was rejected by an older contract that did not know its type yet.
        var counted: [Event] = []
        var letters: [DeadLetter] = []
        for (index, event) in events.enumerated() {
            if index % 3 == 0 {
                letters.append(Self.letter(EventEncoder.json(event), code: .unknownType, key: event.userId, offset: Int64(letters.count)))
            } else {
                counted.append(event)
            }
        }
        let replayable = events.enumerated().filter { $0.offset % 3 == 0 }.map(\.element)
        // A keyless message is still keyless; one whose key was stored after all is curable.
        let keyed = Event(id: "keyed", kind: .conversationCreated, userId: "tenant-1", occurredAtMillis: Self.now - 86_400_000,
                          conversationId: "keyed-conversation", contactId: "keyed-contact")
        let keyless = Event(id: "keyless", kind: .conversationCreated, userId: "tenant-2", occurredAtMillis: Self.now - 86_400_000,
                            conversationId: "keyless-conversation", contactId: "keyless-contact")
        // Valid in full, but longer than the 64 KiB kept: it must be skipped, never decoded from a prefix.
        var long = keyed
        long.id = "long"
        long.reason = String(repeating: "r", count: 70_000)
        var stillInvalid: [DeadLetter] = [
            Self.letter(Array("{".utf8), code: .invalidJSON, key: "tenant-1", offset: 0),
            Self.letter(Array(#"{"id":"s1","type":"survey.created","userId":"tenant-1","occurredAt":"2026-05-19T10:00:00Z"}"#.utf8),
                        code: .unknownType, key: "tenant-1", offset: 0),
            Self.letter(Array(#"{"id":"r0","type":"rating.created","userId":"tenant-1","occurredAt":"2026-05-19T10:00:00Z","value":0}"#.utf8),
                        code: .valueOutOfRange, key: "tenant-1", offset: 0),
            Self.letter(EventEncoder.json(keyless), code: .missingKey, key: nil, offset: 0),
            Self.letter(EventEncoder.json(keyless), code: .missingKey, key: "", offset: 0),
        ]
        for index in stillInvalid.indices { stillInvalid[index].offset = Int64(letters.count + index) }
        letters += stillInvalid
        letters.append(Self.letter(EventEncoder.json(keyed), code: .missingKey, key: "tenant-1", offset: Int64(letters.count)))
        letters.append(Self.letter(EventEncoder.json(long), code: .invalidField, key: "tenant-1", offset: Int64(letters.count)))

        for start in stride(from: 0, to: counted.count, by: 500) {
            try store.apply(IngestBatch(events: Array(counted[start..<min(counted.count, start + 500)])), dedupeDays: 7)
        }
        try Self.storeDeadLetters(letters, in: store)
        try Self.expectReports(store, equal: counted)

        let replayer = DeadLetterReplayer(store: store, dedupeDays: 7, chunkSize: 128)
        let first = try replayer.replay()
        #expect(first.examined == letters.count)
        #expect(first.nowValid == replayable.count + 1)
        #expect(first.counted == replayable.count + 1)
        #expect(first.duplicates == 0)
        #expect(first.stillInvalid == stillInvalid.count)
        #expect(first.truncated == 1)
        #expect(first.dryRun == false)
        try Self.expectReports(store, equal: counted + replayable + [keyed])

        let open = try store.unresolvedDeadLetters(limit: 10_000)
        #expect(open.count == stillInvalid.count + 1)
        #expect(open.last?.letter.payloadBytes == EventEncoder.json(long).count)
        #expect(first.truncatedIds == [open.last!.id])
        let resolved = try store.storedDeadLetters(limit: 10_000).filter { $0.resolvedAtMillis != nil }
        #expect(resolved.count == replayable.count + 1)
        #expect(try store.deadLetterCounts(includeResolved: false) == ["invalid_json": 1, "unknown_type": 1, "value_out_of_range": 1, "missing_key": 2, "invalid_field": 1])
        #expect(try store.deadLetterCounts() == ["invalid_json": 1, "unknown_type": replayable.count + 1, "value_out_of_range": 1, "missing_key": 3, "invalid_field": 1])

        let second = try replayer.replay()
        #expect(second.examined == stillInvalid.count + 1)
        #expect(second.nowValid == 0)
        #expect(second.counted == 0)
        #expect(second.duplicates == 0)
        try Self.expectReports(store, equal: counted + replayable + [keyed])
    }

    @Test("a dead letter whose event was counted in the meantime resolves as a duplicate, not a second count")
    func alreadyCountedIsDuplicate() throws {
        let store = try TallyStore()
        let rating = Event(id: "resent", kind: .ratingCreated(value: 4), userId: "tenant-1", occurredAtMillis: Self.now - 7_200_000, contactId: "k")
        try Self.storeDeadLetters([Self.letter(EventEncoder.json(rating), code: .valueOutOfRange, key: "tenant-1", offset: 0)], in: store)
        try store.apply(IngestBatch(events: [rating]), dedupeDays: 7)

        let summary = try DeadLetterReplayer(store: store, dedupeDays: 7).replay()
        #expect(summary.nowValid == 1)
        #expect(summary.counted == 0)
        #expect(summary.duplicates == 1)
        #expect(try store.unresolvedDeadLetters(limit: 10).isEmpty)
        try Self.expectReports(store, equal: [rating])
    }

    @Test("a dry run reports what would pass but counts and resolves nothing")
    func dryRun() throws {
        let store = try TallyStore()
        let events = Array(TrafficGenerator(seed: 5, tenants: 3, days: 5, endDay: Self.end, total: 200))
        try Self.storeDeadLetters(events.enumerated().map { Self.letter(EventEncoder.json($0.element), code: .unknownType, key: $0.element.userId, offset: Int64($0.offset)) }, in: store)

        let summary = try DeadLetterReplayer(store: store).replay(dryRun: true)
        #expect(summary.dryRun)
        #expect(summary.examined == events.count)
        #expect(summary.nowValid == events.count)
        #expect(summary.counted == 0)
        #expect(try store.unresolvedDeadLetters(limit: 1_000).count == events.count)
        try Self.expectReports(store, equal: [])
    }

    @Test("a code filter replays only dead letters of that code")
    func codeFilter() throws {
        let store = try TallyStore()
        // Stored as a future event by an older, stricter contract; judged at its receipt today's
        // rules accept it (59 minutes ahead).
        let early = Event(id: "early", kind: .conversationCreated, userId: "tenant-1", occurredAtMillis: Self.now - 60_000, conversationId: "c1")
        let typed = Event(id: "typed", kind: .conversationCreated, userId: "tenant-1", occurredAtMillis: Self.now - 60_000, conversationId: "c2")
        try Self.storeDeadLetters([
            Self.letter(EventEncoder.json(early), code: .futureEvent, key: "tenant-1", offset: 0),
            Self.letter(EventEncoder.json(typed), code: .unknownType, key: "tenant-1", offset: 1),
        ], in: store)

        let summary = try DeadLetterReplayer(store: store).replay(code: .futureEvent)
        #expect(summary.examined == 1)
        #expect(summary.counted == 1)
        #expect(try store.unresolvedDeadLetters(limit: 10).map(\.letter.code) == ["unknown_type"])
        try Self.expectReports(store, equal: [early])
    }

    @Test("a replay through a second handle while the first keeps ingesting leaves every distinct count exact")
    func replayBesideIngest() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tally-replay-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let events = Array(TrafficGenerator(seed: 77, tenants: 3, days: 20, endDay: Self.end, total: 4_500))
        let before = Array(events[0..<1_500]), rejected = Array(events[1_500..<3_000]), after = Array(events[3_000...])

        // The serving process: ingests, caching ordinals, and stores rejections.
        let serving = try TallyStore(dataDirectory: directory)
        try serving.apply(IngestBatch(events: before), dedupeDays: 7)
        try Self.storeDeadLetters(rejected.enumerated().map { Self.letter(EventEncoder.json($0.element), code: .unknownType, key: $0.element.userId, offset: Int64($0.offset)) }, in: serving)

        // The operator's process assigns ordinals to the contacts and conversations it replays ...
        let operatorStore = try TallyStore(dataDirectory: directory)
        let summary = try DeadLetterReplayer(store: operatorStore, dedupeDays: 7, chunkSize: 400).replay()
        #expect(summary.counted == rejected.count)

        // ... which the serving process must not hand out again for the members it meets next.
        for start in stride(from: 0, to: after.count, by: 300) {
            try serving.apply(IngestBatch(events: Array(after[start..<min(after.count, start + 300)])), dedupeDays: 7)
        }
        try Self.expectReports(serving, equal: events)
        try Self.expectReports(try TallyStore(dataDirectory: directory), equal: events)
    }
}
