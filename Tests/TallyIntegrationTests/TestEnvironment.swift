import Foundation
import Testing
import TallyDomain
import TallyKafka
import TallyStore

/// Where the integration tests find the real broker and the built `tally` binary.
///
/// `tools/test` starts a broker and exports its address; without one these tests fail loudly
/// rather than skip, so a CI run can never pass without having talked to Kafka.
enum TestEnvironment {
    /// The broker address from `TALLY_TEST_BROKERS`; records a failure when it is missing.
    static func brokers() throws -> String {
        try #require(ProcessInfo.processInfo.environment["TALLY_TEST_BROKERS"].flatMap { $0.isEmpty ? nil : $0 },
                     "TALLY_TEST_BROKERS is not set: run the suite through tools/test, which starts the broker")
    }

    /// The `tally` executable: `TALLY_BIN`, else the debug build next to the package.
    static func tallyBinary() throws -> String {
        if let path = ProcessInfo.processInfo.environment["TALLY_BIN"], !path.isEmpty { return path }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let path = root.appendingPathComponent(".build/debug/tally").path
        try #require(FileManager.default.isExecutableFile(atPath: path), "no tally binary at \(path); run swift build first")
        return path
    }

    /// Three fresh topic names (conversations, messages, ratings) unique to one test.
    static func uniqueTopics(_ label: String) -> [String] {
        let id = UUID().uuidString.prefix(8).lowercased()
        return ["conversations", "messages", "ratings"].map { "\(label)-\(id)-\($0)" }
    }

    /// A fresh, empty data directory.
    static func temporaryDirectory(_ label: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("tally-\(label)-\(UUID().uuidString)").path
    }

    /// Today in UTC (events must be within retention and not in the future).
    static var today: Day { Day(epochSeconds: Int64(Date().timeIntervalSince1970)) }

    /// The topic each generated event goes to.
    static func topic(for event: Event, in topics: [String]) -> String {
        switch event.kind {
        case .conversationCreated: topics[0]
        case .messageCreated: topics[1]
        case .ratingCreated: topics[2]
        }
    }

    /// Produces events keyed by tenant and waits for every delivery.
    @discardableResult
    static func produce(_ events: some Sequence<Event>, to topics: [String], with producer: KafkaProducer) throws -> DeliverySummary {
        for event in events {
            try producer.send(topic: topic(for: event, in: topics), key: Array(event.userId.utf8), value: EventEncoder.json(event))
        }
        let summary = try producer.flush()
        #expect(summary.failed == 0, "undelivered: \(summary.firstError ?? "")")
        return summary
    }

    /// Waits until the store has committed every offset the producer was acknowledged for.
    static func waitUntilCaughtUp(_ store: TallyStore, to ends: [TopicPartition: Int64], timeout: Duration = .seconds(120)) async throws {
        let deadline = ContinuousClock.now + timeout
        var committed: [TopicPartition: Int64] = [:]
        while ContinuousClock.now < deadline {
            committed = try committedOffsets(store)
            if ends.allSatisfy({ committed[$0.key] ?? 0 >= $0.value }) {
                for (partition, end) in ends { #expect(committed[partition] == end, "\(partition) committed past the end") }
                return
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        let behind = ends.keys.sorted { ($0.topic, $0.partition) < ($1.topic, $1.partition) }
            .filter { committed[$0] ?? 0 < ends[$0] ?? 0 }
            .map { "\($0): committed \(committed[$0] ?? 0) of \(ends[$0] ?? 0)" }
        Issue.record("ingest did not catch up within \(timeout): \(behind.joined(separator: "; "))")
        throw CancellationError()
    }
}
