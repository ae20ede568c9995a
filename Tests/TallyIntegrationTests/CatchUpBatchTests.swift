import Foundation
import Testing
import TallyDomain
import TallyKafka
import TallyStore
import TallyTestSupport

/// Catching up on a backlog, a due batch keeps growing while the writer is still busy, up to
/// `--catch-up-batch-size` and never past it; the numbers stay exactly the oracle's.
@Suite("Catch-up batches against a real broker", .serialized)
struct CatchUpBatchTests {
    @Test("a backlog is committed in batches past --batch-size, none past --catch-up-batch-size, and every report matches the oracle")
    func batchesGrowWhileTheWriterIsBusy() async throws {
        let brokers = try TestEnvironment.brokers()
        let binary = try TestEnvironment.tallyBinary()
        let topics = TestEnvironment.uniqueTopics("catch-up")
        let directory = TestEnvironment.temporaryDirectory("catch-up")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let end = TestEnvironment.today
        let events = Array(TrafficGenerator(seed: 31, tenants: 3, days: 20, endDay: end, total: 12_000, spread: .shuffled))
        let producer = try KafkaProducer(brokers: brokers)
        try producer.createTopics(topics, partitions: 2)
        // The whole backlog is there before the server starts.
        try TestEnvironment.produce(events, to: topics, with: producer)

        let metricsPort = ServerProcess.freePort()
        let server = ServerProcess(binary: binary, arguments: [
            "serve", "--brokers", brokers, "--topics", topics.joined(separator: ","), "--data-dir", directory,
            "--metrics-http", "127.0.0.1:\(metricsPort)", "--batch-size", "10", "--catch-up-batch-size", "1000",
        ])
        try server.start()
        defer { server.terminate() }
        _ = try await server.waitForHTTPPort()
        let metrics = try await MetricsTests.scrape(metricsPort, timeout: .seconds(180)) {
            $0.sum("tally_batch_size_sum") == Double(events.count)
        }
        // Stopped before the store is opened again, here, to read it.
        server.terminate()

        let batches = metrics.sum("tally_batch_size_count")
        let buckets = Dictionary(metrics.samples("tally_batch_size_bucket").compactMap { sample in
            sample.labels["le"].flatMap(Double.init).map { ($0, sample.value) }
        }, uniquingKeysWith: +)
        #expect(buckets[1000] == batches, "a batch larger than --catch-up-batch-size: \(buckets)")
        #expect((buckets[10] ?? 0) < batches, "no batch grew past --batch-size while catching up: \(buckets)")
        #expect(batches < Double(events.count) / 10, "\(batches) batches for \(events.count) events")
        // Where the writer's time went: every step named, and together no more than the batches'
        // time from hand-over to commit (which also holds their wait in the writer's queue).
        let stages = Dictionary(metrics.samples("tally_writer_seconds_total").compactMap { sample in
            sample.labels["stage"].map { ($0, sample.value) }
        }, uniquingKeysWith: +)
        #expect(Set(stages.keys) == ["dedupe", "refold", "members", "counters", "conversations", "bitmaps", "bookkeeping", "commit", "publish"])
        #expect(stages.values.allSatisfy { $0 >= 0 } && (stages["commit"] ?? 0) > 0 && (stages["conversations"] ?? 0) > 0, "\(stages)")
        #expect(stages.values.reduce(0, +) <= metrics.sum("tally_batch_commit_seconds_sum") + 0.001, "\(stages)")

        let store = try TallyStore(dataDirectory: directory)
        let oracle = ReportOracle(events: events)
        for tenant in ["tenant-1", "tenant-3"] {
            for periodDays in [1, 7, 30] {
                for report in ReportCatalog.all {
                    let actual = try store.report(report, tenant: tenant, window: ReportWindow(periodDays: periodDays, end: end))
                    let expected = oracle.expected(reportId: report.id, tenant: tenant, periodDays: periodDays, end: end)
                    #expect(expected.map(ReportOracle.Expected(actual).agrees(with:)) == true, "\(report.name) \(tenant) \(periodDays)d")
                }
            }
        }
    }
}
