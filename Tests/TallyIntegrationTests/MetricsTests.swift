import Foundation
import Testing
import TallyDomain
import TallyKafka
import TallyTestSupport

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `GET /metrics` of a real `tally serve` on its own listener (`--metrics-http`), parsed by
/// `prometheus_client`: the names, types and labels, and counters that move as events are
/// produced to the real broker.
@Suite("Prometheus metrics against a real broker", .serialized)
struct MetricsTests {
    static func get(_ port: Int, _ path: String) async throws -> (status: Int, body: String) {
        let (data, response) = try await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(port)\(path)")!)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
    }

    /// Scrapes until `done` holds for the parsed metrics, or fails after `timeout`.
    static func scrape(_ port: Int, timeout: Duration = .seconds(90), until done: (ParsedMetrics) -> Bool) async throws -> ParsedMetrics {
        let deadline = ContinuousClock.now + timeout
        var last: ParsedMetrics?
        while ContinuousClock.now < deadline {
            let reply = try await get(port, "/metrics")
            if reply.status == 200 {
                let parsed = try ParsedMetrics.parse(reply.body)
                if done(parsed) { return parsed }
                last = parsed
            }
            try await Task.sleep(for: .milliseconds(250))
        }
        Issue.record("metrics did not reach the expected state; last consumed: \(last?.sum("tally_records_consumed_total") ?? -1)")
        throw CancellationError()
    }

    @Test("names, types and labels parse, and the counters follow the produced events")
    func countersMove() async throws {
        let brokers = try TestEnvironment.brokers()
        let binary = try TestEnvironment.tallyBinary()
        let topics = TestEnvironment.uniqueTopics("metrics")
        let directory = TestEnvironment.temporaryDirectory("metrics")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let producer = try KafkaProducer(brokers: brokers)
        try producer.createTopics(topics, partitions: 2)
        let metricsPort = ServerProcess.freePort()
        let server = ServerProcess(binary: binary, arguments: [
            "serve", "--brokers", brokers, "--topics", topics.joined(separator: ","), "--data-dir", directory,
            "--metrics-http", "127.0.0.1:\(metricsPort)", "--batch-ms", "50",
        ])
        try server.start()
        defer { server.terminate() }
        let port = try await server.waitForHTTPPort()

        let events = Array(TrafficGenerator(seed: 12, tenants: 3, days: 5, endDay: TestEnvironment.today, total: 400))
        try TestEnvironment.produce(events, to: topics, with: producer)
        for bytes in ["not json", #"{"type":"nope"}"#] { try producer.send(topic: topics[1], key: Array("t1".utf8), value: Array(bytes.utf8)) }
        _ = try producer.flush()
        let first = try await Self.scrape(metricsPort) { $0.sum("tally_records_consumed_total") == Double(events.count + 2) }

        // Types and labels, as the parser reads them (a counter's family drops `_total`).
        let types = first.families.mapValues(\.type)
        for (name, type) in [
            ("tally_records_consumed", "counter"), ("tally_events_counted", "counter"), ("tally_duplicates_skipped", "counter"),
            ("tally_dead_letters", "counter"), ("tally_batches_committed", "counter"), ("tally_batch_size", "histogram"),
            ("tally_batch_commit_seconds", "histogram"), ("tally_consumer_lag", "gauge"), ("tally_committed_offset", "gauge"),
            ("tally_newest_event_age_seconds", "gauge"), ("tally_last_commit_age_seconds", "gauge"), ("tally_store_file_bytes", "gauge"),
            ("tally_http_requests", "counter"), ("tally_http_request_duration_seconds", "histogram"),
        ] {
            #expect(types[name] == type, "\(name): \(types[name] ?? "missing")")
        }
        let deadLetters = first.samples("tally_dead_letters_total")
        #expect(deadLetters.reduce(0) { $0 + $1.value } == 2)
        #expect(deadLetters.allSatisfy { $0.labels["topic"] == topics[1] && !($0.labels["code"] ?? "").isEmpty }, "\(deadLetters.map(\.labels))")
        #expect(Set(first.samples("tally_records_consumed_total").compactMap { $0.labels["topic"] }).isSubset(of: Set(topics)))
        let lag = first.samples("tally_consumer_lag")
        #expect(lag.count == topics.count * 2, "one series per partition")
        #expect(lag.allSatisfy { $0.labels["topic"] != nil && $0.labels["partition"] != nil })
        let counted = first.sum("tally_events_counted_total") + first.sum("tally_duplicates_skipped_total")
        #expect(counted > 0 && counted <= Double(events.count))
        let batches = first.sum("tally_batches_committed_total")
        #expect(batches >= 1)
        #expect(first.sum("tally_batch_commit_seconds_count") == batches)
        #expect(first.sum("tally_batch_size_count") == batches)
        #expect(first.sum("tally_batch_size_sum") == counted, "batch sizes add up to the events handed to the store")
        #expect(first.sum("tally_store_file_bytes", ["file": "rollups"]) > 0)
        // An event may carry a time a little ahead of the server's clock, so only the last commit's age is never negative.
        #expect(first.samples("tally_newest_event_age_seconds").count == 1)
        #expect(first.sum("tally_last_commit_age_seconds") >= 0)

        // HTTP requests on the API's listener, by route template and status; /metrics has moved off it.
        #expect(try await Self.get(port, "/api/v1/platform/audit").status == 401)
        #expect(try await Self.get(port, "/metrics").status == 404)
        let http = try await Self.scrape(metricsPort) {
            $0.sum("tally_http_requests_total", ["route": "/api/v1/platform/audit", "status": "401", "method": "GET"]) == 1
        }
        #expect(http.sum("tally_http_requests_total", ["route": "/healthz", "status": "200"]) >= 1)
        #expect(http.sum("tally_http_request_duration_seconds_count", ["route": "/api/v1/platform/audit"]) == 1)

        // More events: the counters move by exactly as many records.
        let more = Array(TrafficGenerator(seed: 13, tenants: 3, days: 5, endDay: TestEnvironment.today, total: 150))
        try TestEnvironment.produce(more, to: topics, with: producer)
        let second = try await Self.scrape(metricsPort) { $0.sum("tally_records_consumed_total") == Double(events.count + 2 + more.count) }
        #expect(second.sum("tally_batches_committed_total") > batches)
        #expect(second.sum("tally_events_counted_total") + second.sum("tally_duplicates_skipped_total") > counted)
        #expect(second.samples("tally_consumer_lag").allSatisfy { $0.value == 0 }, "caught up: no lag")
    }
}
