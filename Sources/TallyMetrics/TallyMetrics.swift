import CoreMetrics
import Foundation
import Prometheus
import TallyDomain

/// Tally's Prometheus metrics: one registry per process, filled through swift-metrics handles made
/// by swift-prometheus's factory, and rendered as the Prometheus text format for `GET /metrics`.
///
/// The handles are made with an explicit factory rather than through `MetricsSystem.bootstrap`, so
/// that tests run several instances in one process, each with its own registry.
///
/// Ingest updates these once per committed batch (`IngestMetrics.batchCommitted`), never per
/// event. Values that are a state rather than a count (lag, freshness, file sizes) are read when
/// scraped (`render(status:)`), so nothing ticks in the background.
public final class TallyMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    let factory: PrometheusMetricsFactory
    /// Ingest's counters and histograms.
    public let ingest: IngestMetrics
    /// HTTP requests by route template and status.
    public let http: HTTPMetrics
    /// Report jobs, scheduled runs and mail.
    public let reports: ReportMetrics
    private let storeFiles: @Sendable () -> [(name: String, path: String)]
    private let nowMillis: @Sendable () -> Int64

    /// - Parameter storeFiles: the files whose sizes are reported as `tally_store_file_bytes`, by name.
    public init(storeFiles: @escaping @Sendable () -> [(name: String, path: String)] = { [] },
                nowMillis: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970 * 1000) }) {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets[IngestMetrics.commitSeconds] = [
            .milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
            .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5), .seconds(10),
        ]
        factory.valueHistogramBuckets[IngestMetrics.batchSize] = [1, 10, 100, 1_000, 5_000, 10_000, 50_000, 100_000]
        factory.durationHistogramBuckets[HTTPMetrics.durationSeconds] = [
            .milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
            .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5),
        ]
        factory.durationHistogramBuckets[ReportMetrics.generationSeconds] = [
            .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5),
            .seconds(10), .seconds(30), .seconds(60), .seconds(300),
        ]
        self.registry = registry
        self.factory = factory
        ingest = IngestMetrics(factory: factory)
        http = HTTPMetrics(factory: factory)
        reports = ReportMetrics(factory: factory)
        self.storeFiles = storeFiles
        self.nowMillis = nowMillis
    }

    /// The text exposition (format 0.0.4), with the scrape-time gauges refreshed from `status`.
    /// - Parameters:
    ///   - failedScheduledRuns: scheduled runs failed in the last 24 h, when schedules run here.
    ///   - reportJobs: report jobs by state (`pending`, `running`), when the Reports API runs here.
    public func render(status: IngestStatus?, failedScheduledRuns: Int? = nil, reportJobs: [String: Int]? = nil) -> String {
        if let failedScheduledRuns { registry.makeGauge(name: "tally_scheduled_runs_failed_24h").set(Double(failedScheduledRuns)) }
        for (state, count) in reportJobs ?? [:] { registry.makeGauge(name: "tally_report_jobs", labels: [("state", state)]).set(Double(count)) }
        if let status {
            for partition in status.partitions {
                let labels = [("topic", partition.topic), ("partition", String(partition.partition))]
                if let lag = partition.lag { registry.makeGauge(name: "tally_consumer_lag", labels: labels).set(Double(lag)) }
                registry.makeGauge(name: "tally_committed_offset", labels: labels).set(Double(partition.committedOffset))
            }
        }
        let now = nowMillis()
        let freshness = ingest.freshness()
        if let newest = freshness.newestEventMillis {
            registry.makeGauge(name: "tally_newest_event_age_seconds").set(Double(now - newest) / 1000)
        }
        if let commit = freshness.lastCommitMillis {
            registry.makeGauge(name: "tally_last_commit_age_seconds").set(Double(now - commit) / 1000)
        }
        for file in storeFiles() {
            let size = (try? FileManager.default.attributesOfItem(atPath: file.path)[.size] as? NSNumber)?.doubleValue ?? 0
            registry.makeGauge(name: "tally_store_file_bytes", labels: [("file", file.name)]).set(size)
        }
        return registry.emitToString()
    }
}
