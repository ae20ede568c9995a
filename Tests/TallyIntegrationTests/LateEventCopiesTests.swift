import Foundation
import Logging
import Testing
import TallyDomain
import TallyIngest
import TallyKafka
import TallyStore

/// Mobile and edge clients buffer events offline, send them late, and retry. A copy of a late
/// event must be caught however old its `occurredAt` is: the dedupe window runs from when Tally
/// first saw the id, so the maintenance that bounds the dedupe state must not forget it sooner.
@Suite("Copies of late events", .serialized)
struct LateEventCopiesTests {
    @Test("a copy of a late event re-sent after maintenance has run counts once")
    func lateCopyAfterMaintenance() async throws {
        let brokers = try TestEnvironment.brokers()
        let topics = TestEnvironment.uniqueTopics("late-copy")
        let producer = try KafkaProducer(brokers: brokers)
        try producer.createTopics(topics, partitions: 1)
        let store = try TallyStore(dataDirectory: TestEnvironment.temporaryDirectory("late-copy"))
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let day: Int64 = 86_400_000

        // An id first seen eleven days ago: maintenance forgets it, which shows that it has run.
        let stale = Event(id: "stale", kind: .ratingCreated(value: 3), userId: "tenant-1", occurredAtMillis: now - 11 * day)
        try store.apply(IngestBatch(events: [stale], seenAtMillis: [now - 11 * day]), dedupeDays: 7)
        let late = [30, 9].map { daysLate in
            Event(id: "late-\(daysLate)", kind: .messageCreated(.user), userId: "tenant-1",
                  occurredAtMillis: now - Int64(daysLate) * day, conversationId: "offline-\(daysLate)", contactId: "phone")
        }
        // Two copies of each at once, as a retrying client sends them.
        var ends = try TestEnvironment.produce(late + late, to: topics, with: producer).endOffsets

        let pipeline = IngestPipeline(
            configuration: {
                var configuration = IngestConfiguration(brokers: brokers, topics: topics, group: "late-copy-\(UUID().uuidString)")
                configuration.firstMaintenanceDelaySeconds = 1
                return configuration
            }(),
            store: store, logger: Logger(label: "test"))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await pipeline.run() }
            try await TestEnvironment.waitUntilCaughtUp(store, to: ends)
            let deadline = ContinuousClock.now + .seconds(60)
            while try store.seenEventCount() != late.count, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(try store.seenEventCount() == late.count, "maintenance forgot the stale id and kept the late events' ids")
            // A third copy of each, after maintenance.
            ends.merge(try TestEnvironment.produce(late, to: topics, with: producer).endOffsets) { Swift.max($0, $1) }
            try await TestEnvironment.waitUntilCaughtUp(store, to: ends)
            pipeline.requestStop()
            try await group.waitForAll()
        }
        let messages = try #require(ReportCatalog.report(id: "clr3m5n8k000608jq3k0l1m7g"))
        let today = Day(epochSeconds: now / 1000)
        let counted = try store.report(messages, tenant: "tenant-1", window: ReportWindow(periodDays: 60, end: today))
        #expect(counted.value == .count(2), "each late event counts once")
        #expect(try store.total("duplicates") == 4)
    }
}
