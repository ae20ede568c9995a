import Foundation
import Logging
import Testing
import TallyDomain
import TallyIngest
import TallyKafka
import TallyStore
import TallyTestSupport

/// End to end against the real broker: a seeded stream is produced, ingested by the real pipeline
/// into a real SQLite file, and every report is compared with the oracle's answer.
@Suite("Ingest against a real broker", .serialized)
struct IngestOracleTests {
    @Test("every report matches the oracle after ingesting zstd- and lz4-compressed batches")
    func reportsMatchOracle() async throws {
        let brokers = try TestEnvironment.brokers()
        let topics = TestEnvironment.uniqueTopics("oracle")
        let end = TestEnvironment.today
        let events = Array(TrafficGenerator(seed: 2026, tenants: 5, days: 45, endDay: end, total: 30_000))
        let zstd = try KafkaProducer(brokers: brokers, properties: ["compression.codec": "zstd"])
        try zstd.createTopics(topics, partitions: 3)
        let lz4 = try KafkaProducer(brokers: brokers, properties: ["compression.codec": "lz4"])

        // Half of the history exists before Tally starts, half arrives while it runs.
        var ends = try TestEnvironment.produce(events[..<15_000], to: topics, with: zstd).endOffsets
        let store = try TallyStore(dataDirectory: TestEnvironment.temporaryDirectory("oracle"))
        let pipeline = IngestPipeline(
            configuration: IngestConfiguration(brokers: brokers, topics: topics, group: "oracle-\(UUID().uuidString)"),
            store: store, logger: Logger(label: "test"))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await pipeline.run() }
            ends.merge(try TestEnvironment.produce(events[15_000...], to: topics, with: lz4).endOffsets) { Swift.max($0, $1) }
            try await TestEnvironment.waitUntilCaughtUp(store, to: ends)
            pipeline.requestStop()
            try await group.waitForAll()
        }
        #expect(ends.values.reduce(0, +) == Int64(events.count))
        #expect(try store.deadLetters().isEmpty)

        let oracle = ReportOracle(events: events)
        for tenant in ["tenant-1", "tenant-2", "tenant-5"] {
            for periodDays in [1, 7, 30] {
                for endDate in [end, end.advanced(by: -10), end.advanced(by: -31)] {
                    for report in ReportCatalog.all {
                        let actual = try store.report(report, tenant: tenant, window: ReportWindow(periodDays: periodDays, end: endDate))
                        let expected = oracle.expected(reportId: report.id, tenant: tenant, periodDays: periodDays, end: endDate)
                        #expect(expected.map(ReportOracle.Expected(actual).agrees(with:)) == true, "\(report.name) \(tenant) \(periodDays)d to \(endDate)")
                    }
                }
            }
        }
        // Every report per bot and per channel, and grouped by each, from the same ingest.
        let sliced = try oracle.sliceMismatches(tenants: ["tenant-2"], ends: [end, end.advanced(by: -10)], periods: [7, 30]) {
            try store.report($0, tenant: $1, window: $2, groupBy: $3)
        }
        #expect(sliced.isEmpty, "\(sliced.count) slice mismatches, first: \(sliced.prefix(5).joined(separator: "\n"))")
    }

    @Test("poison pills are dead-lettered with their codes while every good event is counted")
    func poisonPillsAreDeadLettered() async throws {
        let brokers = try TestEnvironment.brokers()
        let topics = TestEnvironment.uniqueTopics("poison")
        let end = TestEnvironment.today
        let good = Array(TrafficGenerator(seed: 77, tenants: 2, days: 5, endDay: end, total: 2_000))
        let producer = try KafkaProducer(brokers: brokers, properties: ["message.max.bytes": "4000000"])
        try producer.createTopics(topics, partitions: 2)
        let future = EventEncoder.timestamp(Int64(Date().timeIntervalSince1970 * 1000) + 3 * 86_400_000)
        let now = EventEncoder.timestamp(Int64(Date().timeIntervalSince1970 * 1000))
        let key = Array("tenant-1".utf8)
        let pills: [(key: [UInt8]?, value: [UInt8], code: String)] = [
            (key, Array("{not json".utf8), "invalid_json"),
            (key, [0x7B, 0x22, 0xC3, 0x28, 0x22, 0x7D], "invalid_utf8"),
            (key, Array("[1,2,3]".utf8), "not_an_object"),
            (key, Array("42".utf8), "not_an_object"),
            (key, Array(#"{"id":"p1","type":"message.created","occurredAt":"\#(now)","conversationId":"c","messageType":"user"}"#.utf8), "missing_field"),
            (key, Array(#"{"id":7,"type":"conversation.created","userId":"tenant-1","occurredAt":"\#(now)","conversationId":"c"}"#.utf8), "invalid_field"),
            (key, Array(#"{"id":"p2","type":"bot.exploded","userId":"tenant-1","occurredAt":"\#(now)"}"#.utf8), "unknown_type"),
            (key, Array(#"{"id":"p3","type":"rating.created","userId":"tenant-1","occurredAt":"\#(now)","value":500}"#.utf8), "value_out_of_range"),
            (key, Array(#"{"id":"p4","type":"conversation.created","userId":"tenant-1","occurredAt":"\#(future)","conversationId":"c"}"#.utf8), "future_event"),
            (key, [UInt8](repeating: 0x20, count: 1 << 20), "too_large"),
            (key, [], "empty_value"),
            (nil, Array(#"{"id":"p5","type":"conversation.created","userId":"tenant-1","occurredAt":"\#(now)","conversationId":"c"}"#.utf8), "missing_key"),
        ]
        var ends: [TopicPartition: Int64] = [:]
        for (i, event) in good.enumerated() {
            try producer.send(topic: TestEnvironment.topic(for: event, in: topics), key: Array(event.userId.utf8), value: EventEncoder.json(event))
            if i % 150 == 0, i / 150 < pills.count {
                let pill = pills[i / 150]
                try producer.send(topic: topics[i / 150 % 3], key: pill.key, value: pill.value)
            }
        }
        ends = try producer.flush().endOffsets

        let store = try TallyStore(dataDirectory: TestEnvironment.temporaryDirectory("poison"))
        let pipeline = IngestPipeline(
            configuration: IngestConfiguration(brokers: brokers, topics: topics, group: "poison-\(UUID().uuidString)"),
            store: store, logger: Logger(label: "test"))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await pipeline.run() }
            try await TestEnvironment.waitUntilCaughtUp(store, to: ends)
            pipeline.requestStop()
            try await group.waitForAll()
        }
        let letters = try store.deadLetters(limit: 1000)
        #expect(letters.map(\.code).sorted() == pills.map(\.code).sorted())
        #expect(letters.first { $0.code == "too_large" }?.payloadBytes == 1 << 20)
        let oracle = ReportOracle(events: good)
        for report in ReportCatalog.all {
            for tenant in ["tenant-1", "tenant-2"] {
                let actual = try store.report(report, tenant: tenant, window: ReportWindow(periodDays: 7, end: end))
                #expect(oracle.expected(reportId: report.id, tenant: tenant, periodDays: 7, end: end).map(ReportOracle.Expected(actual).agrees(with:)) == true, "\(report.name)")
            }
        }
    }
}
